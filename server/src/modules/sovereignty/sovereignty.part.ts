import type { ModuleDefinition } from '../../platform/modules/module-definition.js';

/**
 * One part of the sovereignty module (portal, cases, consent, erasure): the fields of a module
 * definition it contributes. sovereignty.module.ts joins the parts into the one definition.
 */
export type SovereigntyPart = Pick<
  ModuleDefinition,
  'publishes' | 'subscriptions' | 'jobs' | 'timelines' | 'routes' | 'setup' | 'startWorkers' | 'cli'
>;

/** The parts as one definition's fields: lists concatenated, functions run in part order. */
export function joinParts(parts: readonly SovereigntyPart[]): SovereigntyPart {
  return {
    publishes: parts.flatMap((p) => p.publishes ?? []),
    subscriptions: parts.flatMap((p) => p.subscriptions ?? []),
    jobs: parts.flatMap((p) => p.jobs ?? []),
    timelines: parts.flatMap((p) => p.timelines ?? []),
    async routes(app) {
      for (const p of parts) await p.routes?.(app);
    },
    setup(platform, app) {
      const closers = parts.map((p) => p.setup?.(platform, app)).filter((c) => typeof c === 'function');
      return closers.length ? async () => void (await Promise.all(closers.map((c) => c()))) : undefined;
    },
    async startWorkers(platform) {
      for (const p of parts) await p.startWorkers?.(platform);
    },
    cli(program, rt) {
      for (const p of parts) p.cli?.(program, rt);
    },
  };
}
