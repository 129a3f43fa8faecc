import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Database } from '../../platform/db/database.js';
import { ProblemError } from '../../platform/http/problem.js';
import { portalSessions } from './sovereignty-portal.schema.js';

/** The portal's own cookie: never the staff `zs_session`, and the staff hook never reads it. */
export const PORTAL_COOKIE = 'zs_portal';
/** The cookie is sent only to the portal's API. */
export const PORTAL_COOKIE_PATH = '/api/v1/portal';
export const PORTAL_IDLE_MS = 30 * 60_000;
export const PORTAL_MAX_MS = 8 * 3600_000;
/** last_seen_at is written at most this often (a page load makes several calls). */
const TOUCH_EVERY_MS = 60_000;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const newSecret = () => randomBytes(32).toString('base64url');

export const candidateSchema = z.array(z.object({ tenant_id: z.uuid(), contact_id: z.uuid() }));
export type Candidate = z.infer<typeof candidateSchema>[number];

/** The signed-in portal visitor: the session, and once chosen the organisation and contact. */
export interface PortalVisitor {
  sessionId: string;
  candidates: Candidate[];
  tenantId: string | null;
  contactId: string | null;
  locale: string;
  expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the portal pre-handler on portal routes (null elsewhere): a contact, never a user. */
    portalVisitor: PortalVisitor | null;
  }
}

/** Creates a session for the verified candidates; returns the cookie token (stored hashed only). */
export async function openPortalSession(
  database: Database,
  candidates: Candidate[],
  locale: string,
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = `zsp_${newSecret()}`;
  const now = new Date();
  const expiresAt = new Date(now.getTime() + PORTAL_MAX_MS);
  const only = candidates.length === 1 ? candidates[0] : null;
  const [row] = await database.systemTx(async (tx) => {
    // Sessions past their 8 hours or idle for 30 minutes are of no further use: forget them.
    await tx
      .delete(portalSessions)
      .where(
        or(
          lt(portalSessions.expires_at, now),
          lt(portalSessions.last_seen_at, new Date(now.getTime() - PORTAL_IDLE_MS)),
        ),
      );
    return tx
      .insert(portalSessions)
      .values({
        token_hash: sha256(token),
        candidates,
        selected_tenant_id: only?.tenant_id ?? null,
        selected_contact_id: only?.contact_id ?? null,
        locale,
        expires_at: expiresAt,
      })
      .returning({ id: portalSessions.id });
  });
  return { token, id: row.id, expiresAt };
}

export function setPortalCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(PORTAL_COOKIE, token, {
    path: PORTAL_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: Math.floor(PORTAL_MAX_MS / 1000),
  });
}

export function clearPortalCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(PORTAL_COOKIE, { path: PORTAL_COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure });
}

export const portalUnauthorized = () =>
  new ProblemError(401, 'Unauthorized', 'Your portal session has ended: sign in with your e-mail again', [
    { field: PORTAL_COOKIE, reason: 'sign in to the portal' },
  ]);

/**
 * The portal session behind the request's `zs_portal` cookie, or null: ended, past 8 hours or idle
 * 30 minutes is no session. Staff credentials (zs_session cookie, bearer tokens) are never looked at.
 */
export async function resolvePortalSession(
  database: Database,
  req: FastifyRequest,
): Promise<PortalVisitor | null> {
  const token = req.cookies?.[PORTAL_COOKIE];
  if (!token?.startsWith('zsp_') || token.length > 100) return null;
  const now = Date.now();
  return database.systemTx(async (tx) => {
    const [row] = await tx
      .select()
      .from(portalSessions)
      .where(and(eq(portalSessions.token_hash, sha256(token)), isNull(portalSessions.ended_at)));
    if (!row) return null;
    if (row.expires_at.getTime() <= now || now - row.last_seen_at.getTime() > PORTAL_IDLE_MS) return null;
    if (now - row.last_seen_at.getTime() > TOUCH_EVERY_MS)
      await tx.update(portalSessions).set({ last_seen_at: sql`now()` }).where(eq(portalSessions.id, row.id));
    const parsed = candidateSchema.safeParse(row.candidates);
    return {
      sessionId: row.id,
      candidates: parsed.success ? parsed.data : [],
      tenantId: row.selected_tenant_id,
      contactId: row.selected_contact_id,
      locale: row.locale,
      expiresAt: row.expires_at,
    };
  });
}

/** Ends the session (logout); the row stays until the next sweep, unusable. */
export async function endPortalSession(database: Database, sessionId: string): Promise<void> {
  await database.systemTx((tx) =>
    tx.update(portalSessions).set({ ended_at: new Date() }).where(eq(portalSessions.id, sessionId)),
  );
}

/** Chooses the organisation (one of the session's candidates). */
export async function selectPortalTenant(
  database: Database,
  visitor: PortalVisitor,
  tenantId: string,
): Promise<Candidate | null> {
  const pick = visitor.candidates.find((c) => c.tenant_id === tenantId);
  if (!pick) return null;
  await database.systemTx((tx) =>
    tx
      .update(portalSessions)
      .set({ selected_tenant_id: pick.tenant_id, selected_contact_id: pick.contact_id })
      .where(eq(portalSessions.id, visitor.sessionId)),
  );
  return pick;
}

/**
 * Ends every portal session of a contact (the erasure of that person, or staff blocking access):
 * for the erasure part to call.
 */
export async function endPortalSessionsOf(
  database: Database,
  tenantId: string,
  contactId: string,
): Promise<number> {
  const rows = await database.systemTx((tx) =>
    tx
      .delete(portalSessions)
      .where(
        and(
          eq(portalSessions.selected_tenant_id, tenantId),
          eq(portalSessions.selected_contact_id, contactId),
        ),
      )
      .returning({ id: portalSessions.id }),
  );
  return rows.length;
}

/**
 * Who acts when a contact changes something through the portal: a customer, named by the
 * contact's own name, with source `portal` (the staff lineage reads "changed by the customer
 * through the portal"). It carries all permissions only because every portal route calls a
 * service for the session's own contact id and nothing else: the portal never takes a contact id
 * from the request (an export id it does take is checked against the contact).
 */
export function portalContext(
  tenantId: string,
  contactId: string,
  contactName: string,
  requestId?: string,
): ActorContext {
  return {
    tenantId,
    actorType: 'customer',
    // The contact acts for themselves (the sovereignty services check a customer acts only for this id).
    actorId: contactId,
    actorName: contactName,
    role: 'admin',
    permissions: new Set(['*']),
    source: 'portal',
    requestId,
  };
}
