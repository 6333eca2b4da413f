/** Who did something: recorded on every history row and audit entry. */
export type Actor =
  | { kind: 'resident'; residentId: number }
  | { kind: 'staff'; staffId: number }
  | { kind: 'system' };

export const SYSTEM: Actor = { kind: 'system' };

export function actorColumns(actor: Actor): { actor_kind: Actor['kind']; actor_id: number | null } {
  if (actor.kind === 'resident') return { actor_kind: 'resident', actor_id: actor.residentId };
  if (actor.kind === 'staff') return { actor_kind: 'staff', actor_id: actor.staffId };
  return { actor_kind: 'system', actor_id: null };
}
