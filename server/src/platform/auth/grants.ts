import { ProblemError } from '../http/problem.js';
import type { ActorContext } from './auth-context.js';
import { PERMISSIONS } from './permissions.js';

/**
 * The one rule for every path that hands out rights (API keys, users and their roles, later
 * OAuth clients): what is granted must be a subset of what the caller holds itself. A caller
 * holding '*' (the system: CLI, seed, jobs) may grant anything.
 */
export function missingGrants(ctx: ActorContext, granted: Iterable<string>): string[] {
  if (ctx.permissions.has('*')) return [];
  return [...new Set(granted)].filter((p) => !ctx.permissions.has(p)).sort();
}

function grantsEverything(granted: Iterable<string>): boolean {
  const set = new Set(granted);
  return PERMISSIONS.every((p) => set.has(p));
}

/**
 * Throws 403 (problem+json naming `field`) unless the caller holds every permission in `granted`.
 * `granted` is the effective permission set of what is being created or given: for a key
 * permissionsOf(role, scopes), for a user permissionsOf(role).
 */
export function assertCanGrant(ctx: ActorContext, granted: Iterable<string>, field: string): void {
  const list = [...granted];
  const missing = missingGrants(ctx, list);
  if (missing.length === 0) return;
  throw new ProblemError(
    403,
    'Forbidden',
    grantsEverything(list)
      ? 'Only an administrator can make someone an administrator'
      : 'You cannot grant rights you do not hold yourself',
    [{ field, reason: `includes rights you do not hold: ${missing.join(', ')}` }],
  );
}

/**
 * Throws 403 unless the caller holds every permission the existing subject (a user being
 * changed) has: otherwise a limited caller could take over a stronger account (new email or
 * password) or switch it off.
 */
export function assertCanManage(ctx: ActorContext, held: Iterable<string>, field: string): void {
  const missing = missingGrants(ctx, held);
  if (missing.length === 0) return;
  throw new ProblemError(403, 'Forbidden', 'You cannot change a user who holds rights you do not have', [
    { field, reason: `includes rights you do not hold: ${missing.join(', ')}` },
  ]);
}
