import { sql } from 'drizzle-orm';
import {
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../../platform/db/columns.js';

/**
 * A tenant's registered OAuth 2.0 / OIDC client ("app"). Public apps (SPAs, mobile) have no secret
 * and must use PKCE; confidential ones hold a secret, kept only as its SHA-256 (shown once).
 * `scopes` are the permissions the app may ask for (never more than its creator held).
 */
export const oauthApps = pgTable(
  'oauth_apps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantIdColumn(),
    /** The public client_id (`zs_app_…`), unique across tenants. */
    client_id: text('client_id').notNull(),
    name: text('name').notNull(),
    /** public | confidential */
    app_type: text('app_type').notNull(),
    redirect_uris: text('redirect_uris').array().notNull().default(sql`'{}'::text[]`),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    /** SHA-256 (hex) of the client secret; null for public apps. */
    secret_hash: text('secret_hash'),
    secret_prefix: text('secret_prefix'),
    secret_rotated_at: timestamptz('secret_rotated_at'),
    /** The admin who registered it: client-credentials tokens act with their tenant and never exceed their rights. */
    created_by: uuid('created_by'),
    created_at: timestamptz('created_at').notNull().defaultNow(),
    updated_at: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('oauth_apps_client_id_uq').on(t.client_id),
    index('oauth_apps_tenant_idx').on(t.tenant_id),
  ],
);

/**
 * Everything oidc-provider stores (its Adapter): sessions, interactions, grants, codes, access and
 * refresh tokens…, plus our signing keys and cookie keys. One row per (model, id); the lookups
 * oidc-provider needs (by grant, by session uid, by user code) are columns. Not tenant-scoped: the
 * provider resolves ids that are unguessable, the tenant comes from the client.
 */
export const oauthArtefacts = pgTable(
  'oauth_artefacts',
  {
    model: text('model').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').notNull(),
    grant_id: text('grant_id'),
    uid: text('uid'),
    user_code: text('user_code'),
    expires_at: timestamptz('expires_at'),
    consumed_at: timestamptz('consumed_at'),
    created_at: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.model, t.id] }),
    index('oauth_artefacts_grant_idx').on(t.grant_id),
    index('oauth_artefacts_uid_idx').on(t.model, t.uid),
    index('oauth_artefacts_user_code_idx').on(t.model, t.user_code),
    index('oauth_artefacts_expires_idx').on(t.expires_at),
  ],
);

/** API calls per app per day (UTC), flushed from memory periodically: the usage on the apps page. */
export const oauthAppUsage = pgTable(
  'oauth_app_usage',
  {
    tenant_id: tenantIdColumn(),
    app_id: uuid('app_id')
      .notNull()
      .references(() => oauthApps.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    calls: integer('calls').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.app_id, t.day] })],
);
