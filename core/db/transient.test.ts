import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from './transient.ts';

const pgError = (code: string, severity = 'ERROR', message = 'x') => Object.assign(new Error(message), { code, severity });

describe('isTransientDatabaseError', () => {
  it('counts outages, timeouts and lost sessions as transient', () => {
    for (const error of [
      pgError('57P01', 'FATAL', 'terminating connection due to administrator command'),
      pgError('55000', 'FATAL', 'database "x" is not currently accepting connections'),
      pgError('57014', 'ERROR', 'canceling statement due to statement timeout'),
      pgError('55P03', 'ERROR', 'canceling statement due to lock timeout'),
      pgError('40P01'),
      pgError('40001'),
      pgError('53300', 'FATAL', 'sorry, too many clients already'),
      pgError('08006'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
      new Error('wrapped', { cause: pgError('57014') }),
      // A prepared statement the session lost, or whose columns a migration changed: prepared again next time.
      pgError('26000', 'ERROR', 'prepared statement "otklik_4" does not exist'),
      pgError('0A000', 'ERROR', 'cached plan must not change result type'),
    ]) {
      expect(isTransientDatabaseError(error), error.message).toBe(true);
    }
  });

  it('counts bugs and bad data as permanent', () => {
    for (const error of [
      pgError('23505'),
      pgError('0A000', 'ERROR', 'LOCK TABLE is not supported'),
      pgError('22P05', 'ERROR', 'unsupported Unicode escape sequence'),
      pgError('42P01'),
      new TypeError('x is undefined'),
      'a string',
    ]) {
      expect(isTransientDatabaseError(error)).toBe(false);
    }
  });
});
