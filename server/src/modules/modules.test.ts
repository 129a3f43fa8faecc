import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../platform/auth/permissions.js';
import type { TypedApp } from '../platform/http/app.js';
import { defineModule, mountModules, subscribedEvents } from '../platform/modules/module-definition.js';
import type { Platform } from '../platform/platform.js';
import { TimelineRegistry } from '../platform/records/timeline.js';
import { appModules } from './index.js';
import { moduleDocs } from './module-docs.js';

const ARCHITECTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'docs',
  'architecture.md',
);

describe('module definitions', () => {
  it('docs/architecture.md shows the module and event tables of the definitions as they are', () => {
    const docs = readFileSync(ARCHITECTURE, 'utf8');
    // On a failure: npm run docs:modules --workspace server
    expect(docs).toContain(moduleDocs(appModules));
  });

  it('introduce every permission of the role table exactly once', () => {
    const owners = new Map<string, string[]>();
    for (const m of appModules)
      for (const p of m.permissions ?? []) owners.set(p, [...(owners.get(p) ?? []), m.name]);
    for (const p of PERMISSIONS) expect(owners.get(p), p).toHaveLength(1);
    expect([...owners.keys()].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('subscribe only to events some module publishes, under handler and queue names of their own', () => {
    const published = new Set(appModules.flatMap((m) => (m.publishes ?? []).map((e) => e.name)));
    for (const m of appModules) {
      for (const s of m.subscriptions ?? []) {
        expect(s.handler.startsWith(`${m.name}.`), `${m.name}: handler ${s.handler}`).toBe(true);
        for (const name of subscribedEvents(s))
          expect(name === '*' || published.has(name), `${s.handler} ← ${name}`).toBe(true);
      }
      for (const j of m.jobs ?? []) expect(j.queue.startsWith(`${m.name}.`), j.queue).toBe(true);
    }
  });

  it('mounting refuses a route whose permission no module introduces, and two modules of one name', async () => {
    const bus = { on: () => {} };
    const platform = {
      bus,
      jobs: { register: () => {} },
      timeline: new TimelineRegistry(),
      eventCatalogue: [],
    } as unknown as Platform; // only what mountModules touches
    const good = defineModule({ name: 'a', summary: 'a', permissions: ['crm:read'] });
    const typo = defineModule({
      name: 'b',
      summary: 'b',
      routes(app) {
        app.get('/b', { config: { permission: 'crm:write' } }, async () => ({}));
      },
    });
    const app = Fastify() as unknown as TypedApp;
    await expect(mountModules(app, platform, [good, typo])).rejects.toThrow(
      'GET /b requires crm:write, which no module introduces',
    );
    await expect(mountModules(Fastify() as unknown as TypedApp, platform, [good, good])).rejects.toThrow(
      'Two modules are named a',
    );
  });
});
