import { appModules } from './modules/index.js';
import { CacheRegistry } from './platform/caches.js';
import { type AppConfig, loadConfig } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { buildApp } from './platform/http/app.js';
import { closePlatform, createPlatform } from './platform/platform.js';

/**
 * Stands where the database would be: the document comes from the route schemas alone, so
 * assembling the app must not touch a database. Anything that does fails loudly here.
 */
function noDatabase(): Database {
  const refuse = (): never => {
    throw new Error('buildOpenApiDocument: building the app must not use the database');
  };
  return {
    kind: 'pglite',
    rlsEnabled: false,
    raw: {},
    db: new Proxy({}, { get: refuse }) as Database['db'],
    query: async () => refuse(),
    tenantTx: async () => refuse(),
    systemTx: async () => refuse(),
    close: async () => {},
    caches: new CacheRegistry(),
  };
}

/**
 * The server's OpenAPI document (what GET /openapi.json serves), built without a running server
 * or a database: the whole app is assembled (no migrations, no workers, nothing listens), asked
 * for its document, and closed. The web app's API types are generated from this
 * (web/scripts/api-types.ts).
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const config: AppConfig = {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    databaseUrl: undefined,
    dataDir: 'memory://',
    jobs: false,
    demoSeed: false,
    llm: null,
    webDist: undefined,
  };
  const platform = await createPlatform(config, { database: noDatabase(), migrate: false });
  try {
    const app = await buildApp(platform, appModules);
    try {
      await app.ready();
      return app.swagger() as unknown as Record<string, unknown>;
    } finally {
      await app.close();
    }
  } finally {
    await closePlatform(platform);
  }
}
