import type { Generated } from 'kysely';

export interface ConsoleLoginCodeTable {
  id: Generated<number>;
  staff_id: number;
  code_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface ConsoleSignInFailureTable {
  id: Generated<number>;
  client: string;
  failed_at: Date;
}

export interface ConsoleTables {
  console_login_code: ConsoleLoginCodeTable;
  console_sign_in_failure: ConsoleSignInFailureTable;
}
