import type { FastifyInstance } from 'fastify';
import { appModules } from './modules/index.js';
import type { AppConfig } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { buildApp } from './platform/http/app.js';
import { registerPlatformJobs } from './platform/jobs/platform-jobs.js';
import { startModuleWorkers } from './platform/modules/module-definition.js';
import { closePlatform, createPlatform, type Platform } from './platform/platform.js';

export interface Server {
  app: FastifyInstance;
  platform: Platform;
  /** Starts the event relay and job workers (separate, so a start can listen first). */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the whole product (platform + modules + HTTP app) without listening. */
export async function createServer(
  config: AppConfig,
  opts: { database?: Database; startWorkers?: boolean } = {},
): Promise<Server> {
  const platform = await createPlatform(config, { database: opts.database });
  const app = await buildApp(platform, appModules);
  registerPlatformJobs(platform);
  const startWorkers = async () => {
    platform.bus.start();
    await platform.jobs.start();
    await startModuleWorkers(platform, appModules);
  };
  if (opts.startWorkers !== false) await startWorkers();
  return {
    app,
    platform,
    startWorkers,
    async close() {
      await app.close();
      await closePlatform(platform);
    },
  };
}
