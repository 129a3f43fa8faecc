import { AuthService } from './auth/auth.service.js';
import type { CacheRegistry } from './caches.js';
import type { AppConfig } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { migrateDatabase } from './db/migrate.js';
import { EventBus } from './events/event-bus.js';
import { JobQueue } from './jobs/job-queue.js';
import { Mailer } from './mail/mailer.js';
import type { PublishedEvent } from './modules/module-definition.js';
import { createOutboundClient, type OutboundClient } from './outbound-http/outbound-client.js';
import { ConsentGate } from './privacy/consent-gate.js';
import { PersonalDataRegistry } from './privacy/personal-data.js';
import { TimelineRegistry } from './records/timeline.js';
import { SharingService } from './sharing/sharing.service.js';

/** The shared, business-free services every module is given. */
export interface Platform {
  config: AppConfig;
  database: Database;
  bus: EventBus;
  auth: AuthService;
  timeline: TimelineRegistry;
  jobs: JobQueue;
  /** Record-level sharing: each tenant's user directory and organisation-wide defaults, cached. */
  sharing: SharingService;
  /** The one way out to other systems (SSRF-safe, timeouts, size caps): every outbound HTTP call. */
  outbound: OutboundClient;
  /** SMTP mail (notices, later the customer portal); not configured = nothing sent, reported. */
  mail: Mailer;
  /** Events the mounted modules publish (filled by mountModules): the webhook event catalogue. */
  eventCatalogue: PublishedEvent[];
  /** Each module's personal-data provider (what it holds about a person, how it erases it): R-5. */
  personalData: PersonalDataRegistry;
  /** May a person's data be used for a purpose? Answered by the module that keeps consent. */
  consent: ConsentGate;
  /** Modules' in-memory caches, per platform instance (the same registry every transaction is bound to). */
  caches: CacheRegistry;
}

export async function createPlatform(
  config: AppConfig,
  opts: { database?: Database; migrate?: boolean } = {},
): Promise<Platform> {
  const database =
    opts.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.dbPoolSize,
    }));
  if (opts.migrate !== false) await migrateDatabase(database);
  return {
    config,
    database,
    bus: new EventBus(database),
    auth: new AuthService(database, config.sessionTtlHours),
    timeline: new TimelineRegistry(),
    jobs: new JobQueue(database, config.jobs, config.databaseUrl),
    sharing: new SharingService(),
    outbound: createOutboundClient({ allow: config.outbound.allow }),
    caches: database.caches,
    mail: new Mailer(config.mail),
    eventCatalogue: [],
    personalData: new PersonalDataRegistry(),
    consent: new ConsentGate(database.caches),
  };
}

export async function closePlatform(p: Platform): Promise<void> {
  await p.bus.stop();
  await p.jobs.stop();
  await p.outbound.close();
  p.mail.close();
  await p.database.close();
}
