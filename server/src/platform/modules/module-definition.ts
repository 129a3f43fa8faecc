import type { Command } from 'commander';
import type { Permission } from '../auth/permissions.js';
import type { DomainEvent } from '../events/event-bus.js';
import type { TypedApp } from '../http/app.js';
import { zhCNTerms } from '../http/messages.zh-CN.js';
import type { CliRuntime } from '../local-admin/cli-runtime.js';
import type { Platform } from '../platform.js';
import type { PersonalDataProvider } from '../privacy/personal-data.js';
import type { TimelineProvider } from '../records/timeline.js';

/** An event a module writes to the outbox: its name and when it is emitted (the event table in docs). */
export interface PublishedEvent {
  /** Event name, e.g. `signals.ingested`; `{entity}` stands for each entity of the module. */
  name: string;
  when: string;
  /** The same in Chinese (the webhook event picker shows it to zh-CN users). */
  when_zh?: string;
  /** The entity, for the four record events a ResourceService writes (one row in the event table). */
  family?: string;
}

/** A handler the module runs for events (delivered at least once, after the emitting commit). */
export interface EventSubscription {
  /** Event name(s); `*` is every event. */
  on: string | readonly string[];
  /** Handler name, unique per event: the relay tracks deliveries and retries under it. */
  handler: string;
  // biome-ignore lint/suspicious/noExplicitAny: each subscriber declares the payload shape of the events it handles
  run: (platform: Platform, event: DomainEvent<any>) => Promise<void>;
}

/** A durable pg-boss queue the module owns: optional cron schedule; work is tenant-scoped inside run. */
export interface ModuleJob {
  queue: string;
  /** Cron schedule (UTC); without one the queue only runs what is sent to it. */
  cron?: string;
  description: string;
  // biome-ignore lint/suspicious/noExplicitAny: each queue declares the data its senders give it
  run: (platform: Platform, data: any) => Promise<unknown>;
}

/** A contributor to record timelines (the timeline owner never reads the module's tables). */
export interface ModuleTimeline {
  name: string;
  provide: TimelineProvider;
}

/**
 * Everything a module brings, in one place: reading a module's definition tells a newcomer its
 * routes, the events it publishes and handles, its jobs and schedules, its timeline items, the
 * permissions it introduces and its CLI commands. `server/src/modules/index.ts` lists the
 * definitions; `mountModules` wires them into the platform and the HTTP app in that order.
 */
export interface ModuleDefinition {
  /** Short name; also the prefix of its events, jobs and caches (`crm.…`). */
  name: string;
  /** One sentence: what the module is for. */
  summary: string;
  /** Permissions the module introduces (keys of the platform's role table). */
  permissions?: readonly Permission[];
  /** Events the module emits (documentation and the event table; emitting is the service's job). */
  publishes?: readonly PublishedEvent[];
  subscriptions?: readonly EventSubscription[];
  jobs?: readonly ModuleJob[];
  timelines?: readonly ModuleTimeline[];
  /**
   * The personal data the module holds about a person (contacts of customers): collected for the
   * sovereignty portal and exports, erased or anonymised on an erasure request (R-5).
   */
  personalData?: PersonalDataProvider;
  /** HTTP routes, registered under /api/v1 on the typed app (handlers read typed req.body/query/params). */
  routes?: (app: TypedApp) => void | Promise<void>;
  /**
   * Routes outside /api/v1 (e.g. /graphql, /.well-known/…). The platform's authentication hook
   * covers only /api/*: such routes check `req.actor` themselves and are listed in the OpenAPI
   * document only if they declare a schema.
   */
  rootRoutes?: (app: TypedApp) => void | Promise<void>;
  /**
   * Start-up wiring that needs the platform and is none of the above (e.g. lending the sharing
   * service a directory). May return a function run when the app closes.
   */
  setup?: (platform: Platform, app: TypedApp) => void | (() => Promise<void> | void);
  /** Background work started with the server's workers (event relay, job queue), e.g. a dispatcher loop. */
  startWorkers?: (platform: Platform) => void | Promise<void>;
  /** CLI commands: adds subcommands to the `zhongshu` program (they run through rt, see CliRuntime). */
  cli?: (program: Command, rt: CliRuntime) => void;
}

/** Identity with a type check: a module's definition file reads `export const xModule = defineModule({…})`. */
export function defineModule(def: ModuleDefinition): ModuleDefinition {
  return def;
}

/** Event names a subscription listens to. */
export function subscribedEvents(s: EventSubscription): readonly string[] {
  return typeof s.on === 'string' ? [s.on] : s.on;
}

/**
 * Wires each module into the platform (subscriptions on the bus, queues on the job queue, timeline
 * providers) and registers its routes on the app — in list order, so a module can rely on the ones
 * before it (sharing binds the request actor before any module's handlers run).
 */
export async function mountModules(
  app: TypedApp,
  platform: Platform,
  modules: readonly ModuleDefinition[],
): Promise<void> {
  // A route may only require a permission some module introduces (a typo fails at start-up).
  const introduced = new Set(modules.flatMap((m) => m.permissions ?? []));
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (permission && !introduced.has(permission))
      throw new Error(`${route.method} ${route.url} requires ${permission}, which no module introduces`);
  });
  const seen = new Set<string>();
  for (const m of modules) {
    if (seen.has(m.name)) throw new Error(`Two modules are named ${m.name}`);
    seen.add(m.name);
    platform.eventCatalogue.push(...(m.publishes ?? []));
    for (const s of m.subscriptions ?? [])
      for (const name of subscribedEvents(s)) platform.bus.on(name, s.handler, (ev) => s.run(platform, ev));
    for (const j of m.jobs ?? [])
      platform.jobs.register(j.queue, async (data) => void (await j.run(platform, data ?? {})), {
        cron: j.cron,
      });
    for (const t of m.timelines ?? []) platform.timeline.register(t.name, t.provide);
    if (m.personalData) platform.personalData.register(m.name, m.personalData);
    const close = m.setup?.(platform, app);
    if (close) app.addHook('onClose', async () => close());
    if (m.routes) await m.routes(app);
  }
}

/** Registers the modules' routes outside /api/v1 (after the /api/v1 ones, in list order). */
export async function mountRootRoutes(app: TypedApp, modules: readonly ModuleDefinition[]): Promise<void> {
  for (const m of modules) if (m.rootRoutes) await m.rootRoutes(app);
}

/** Starts each module's background work (after the event relay and the job queue). */
export async function startModuleWorkers(
  platform: Platform,
  modules: readonly ModuleDefinition[],
): Promise<void> {
  for (const m of modules) await m.startWorkers?.(platform);
}

/** Every module's CLI commands on one program (cli.ts builds the program, then calls this). */
export function registerModuleCommands(
  program: Command,
  rt: CliRuntime,
  modules: readonly ModuleDefinition[],
): void {
  for (const m of modules) m.cli?.(program, rt);
}

/** The events a ResourceService writes for its entity: `{entity}.created/updated/deleted/imported`. */
export function resourceEvents(...services: { def: { entity: string; label: string } }[]): PublishedEvent[] {
  return services.flatMap(({ def: { entity, label } }) =>
    RECORD_ACTIONS.map((action) => ({
      name: `${entity}.${action}`,
      when: `${entity} ${action} (payload: the record; imported: the ids of a file import or bulk insert)`,
      when_zh: `${zhCNTerms[label] ?? label}${RECORD_ACTIONS_ZH[action]}`,
      family: entity,
    })),
  );
}

const RECORD_ACTIONS_ZH: Record<(typeof RECORD_ACTIONS)[number], string> = {
  created: '新建（附完整记录）',
  updated: '修改（附完整记录和改动的字段）',
  deleted: '删除',
  imported: '批量导入（附导入的记录 ID）',
};

export const RECORD_ACTIONS = ['created', 'updated', 'deleted', 'imported'] as const;
