import type { Role } from './permissions.js';

/** Who is acting: carried from the HTTP layer (or CLI/jobs) into every service call. */
export interface ActorContext {
  tenantId: string;
  actorType: 'user' | 'api_key' | 'system' | 'customer';
  actorId: string | null;
  actorName: string;
  role: Role;
  permissions: ReadonlySet<string>;
  /** Where the change came from, recorded as lineage (ui | api | import:csv | seed | …). */
  source: string;
  requestId?: string;
  /** The session (sessions.id) a signed-in user acts through; absent for keys, jobs and the CLI. */
  sessionId?: string;
  /** For an API key: the user who created it (its rights and record visibility never exceed theirs). */
  creatorId?: string;
  /** For a token a module's resolver issued (an OAuth app's access token): that app's id (limits, usage). */
  appId?: string;
}

export function systemContext(tenantId: string, source = 'system', name = 'Zhongshu'): ActorContext {
  return {
    tenantId,
    actorType: 'system',
    actorId: null,
    actorName: name,
    role: 'admin',
    permissions: new Set(['*']),
    source,
  };
}

export function can(ctx: ActorContext, permission: string): boolean {
  return ctx.permissions.has('*') || ctx.permissions.has(permission);
}
