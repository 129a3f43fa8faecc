import { and, eq, sql } from 'drizzle-orm';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../../platform/db/database.js';
import { oauthApps, oauthArtefacts } from './oauth.schema.js';
import { clientMetadata } from './oauth.service.js';

/** Models whose removal must forget cached credentials (a revoked token stops working at once). */
const TOKEN_MODELS = new Set(['AccessToken', 'RefreshToken', 'ClientCredentials', 'Grant']);

const epoch = () => Math.floor(Date.now() / 1000);

/** Finds one live artefact (not expired) by a column. */
async function findWhere(
  database: Database,
  model: string,
  column: 'id' | 'uid' | 'user_code',
  value: string,
): Promise<AdapterPayload | undefined> {
  const rows = await database.systemTx((tx) =>
    tx
      .select({ payload: oauthArtefacts.payload, consumed_at: oauthArtefacts.consumed_at })
      .from(oauthArtefacts)
      .where(
        and(
          eq(oauthArtefacts.model, model),
          eq(oauthArtefacts[column], value),
          sql`(${oauthArtefacts.expires_at} is null or ${oauthArtefacts.expires_at} > now())`,
        ),
      )
      .limit(1),
  );
  if (rows.length === 0) return undefined;
  const payload = rows[0].payload as AdapterPayload;
  const consumed = rows[0].consumed_at;
  return consumed ? { ...payload, consumed: Math.floor(consumed.getTime() / 1000) } : payload;
}

/**
 * oidc-provider's storage in PostgreSQL (PGlite or a server): one table keyed by (model, id) with
 * the payload as jsonb. Clients are not stored here: the `Client` model reads the apps table.
 * `onRevoke` runs after a token, grant or session-bound token is destroyed or consumed.
 */
export function drizzleAdapter(database: Database, onRevoke: () => void) {
  return class DrizzleAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
      if (this.model === 'Client') return; // apps are registered through the apps API only
      const expires = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const row = {
        model: this.model,
        id,
        payload,
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
        expires_at: expires,
      };
      await database.systemTx((tx) =>
        tx
          .insert(oauthArtefacts)
          .values(row)
          .onConflictDoUpdate({
            target: [oauthArtefacts.model, oauthArtefacts.id],
            set: {
              payload: row.payload,
              grant_id: row.grant_id,
              uid: row.uid,
              user_code: row.user_code,
              expires_at: row.expires_at,
            },
          }),
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findClient(database, id);
      return findWhere(database, this.model, 'id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return findWhere(database, this.model, 'uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return findWhere(database, this.model, 'user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await database.systemTx((tx) =>
        tx
          .update(oauthArtefacts)
          .set({ consumed_at: new Date() })
          .where(and(eq(oauthArtefacts.model, this.model), eq(oauthArtefacts.id, id))),
      );
      if (TOKEN_MODELS.has(this.model)) onRevoke();
    }

    async destroy(id: string): Promise<void> {
      await database.systemTx((tx) =>
        tx.delete(oauthArtefacts).where(and(eq(oauthArtefacts.model, this.model), eq(oauthArtefacts.id, id))),
      );
      if (TOKEN_MODELS.has(this.model)) onRevoke();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await database.systemTx((tx) => tx.delete(oauthArtefacts).where(eq(oauthArtefacts.grant_id, grantId)));
      onRevoke();
    }
  };
}

/** An access token by its value (opaque tokens are their own id), live and not consumed. */
export async function findAccessToken(
  database: Database,
  token: string,
): Promise<AdapterPayload | undefined> {
  for (const model of ['AccessToken', 'ClientCredentials']) {
    const hit = await findWhere(database, model, 'id', token);
    if (hit) {
      if (hit.consumed || (typeof hit.exp === 'number' && hit.exp <= epoch())) return undefined;
      return { ...hit, kind: model };
    }
  }
  return undefined;
}

async function findClient(database: Database, clientId: string): Promise<AdapterPayload | undefined> {
  const rows = await database.systemTx((tx) =>
    tx.select().from(oauthApps).where(eq(oauthApps.client_id, clientId)).limit(1),
  );
  return rows.length ? clientMetadata(rows[0]) : undefined;
}

/** Deletes artefacts that expired more than a day ago (the daily purge job). */
export async function purgeExpiredArtefacts(database: Database): Promise<number> {
  const { rows } = await database.query<{ n: number }>(
    `with d as (delete from oauth_artefacts where expires_at < now() - interval '1 day' returning 1)
     select count(*)::int as n from d`,
  );
  return rows[0]?.n ?? 0;
}
