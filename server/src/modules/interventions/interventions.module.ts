import { systemContext } from '../../platform/auth/auth-context.js';
import { defineModule, type ModuleTimeline } from '../../platform/modules/module-definition.js';
import type { Platform } from '../../platform/platform.js';
import { SIGNALS_INGESTED } from '../signals/signals.service.js';
import { interventionsMergeSubscriptions } from './interventions.merge.js';
import { interventionsPersonalData } from './interventions.personal-data.js';
import { interventionsRoutes } from './interventions.routes.js';
import type { interventions } from './interventions.schema.js';
import { evaluateAccounts, interventionService } from './interventions.service.js';
import { TalkTrackRewriter } from './talk-track-rewrite.js';

type InterventionRow = typeof interventions.$inferSelect;

/** The risk's one-line "what changed", for the timeline summary. */
function whatChanged(risk: unknown): string | null {
  if (risk && typeof risk === 'object' && 'what_changed' in risk && typeof risk.what_changed === 'string')
    return risk.what_changed;
  return null;
}

/** Bundles raised on the account, newest first. */
const interventionTimeline: ModuleTimeline = {
  name: 'interventions',
  async provide(tx, ctx, subject, limit) {
    if (subject.entity !== 'accounts') return [];
    const page = await interventionService.list(tx, ctx, { account_id: subject.id, limit });
    // The resource service hands back its table's rows untyped.
    return (page.data as InterventionRow[]).map((i) => ({
      kind: 'intervention',
      id: i.id,
      at: new Date(i.created_at).toISOString(),
      title: i.title,
      summary: whatChanged(i.risk),
      source: `rule:${i.rule_key}@v${i.rule_version}`,
      data: { severity: i.severity, status: i.status, delivery: i.delivery, signal_ids: i.signal_ids },
    }));
  },
};

/** Each platform's talk-track rewriter, when an LLM is configured (ZHONGSHU_LLM_*). */
const rewriters = new WeakMap<Platform, TalkTrackRewriter>();

/** Signals → interventions: rules turn what happened into bundles for the right person (R-1.3… ). */
export const interventionsModule = defineModule({
  name: 'interventions',
  summary:
    'Runs the intervention rules on ingested signals and keeps the bundles (risk, evidence, talk track, actions) people act on and sign off.',
  personalData: interventionsPersonalData,
  permissions: ['interventions:read', 'interventions:act', 'interventions:sign_off'],
  publishes: [
    {
      name: 'interventions.created',
      when: 'a rule raised a new bundle (payload: the bundle)',
      when_zh: '规则生成了新的跟进建议（附建议内容）',
    },
    {
      name: 'interventions.updated',
      when: 'a bundle changed: refreshed by new evidence, acted on, escalated, signed off, talk track rewritten',
      when_zh: '跟进建议有变化：新证据补充、已处理、升级、主管签批或话术改写',
    },
  ],
  subscriptions: [
    // Account merges move the merged account's bundles to the survivor (and back on undo).
    ...interventionsMergeSubscriptions,
    {
      // Rules run off the bus, so ingestion stays fast; the handler is idempotent (at-least-once delivery).
      on: SIGNALS_INGESTED,
      handler: 'interventions.evaluate',
      async run(platform, event) {
        const accountTypes = (event.payload?.account_types ?? {}) as Record<string, string[]>;
        if (!Object.keys(accountTypes).length) return;
        const ctx = systemContext(event.tenant_id, 'rules', 'Zhongshu rules');
        await platform.database.tenantTx(event.tenant_id, (tx) =>
          evaluateAccounts(tx, ctx, accountTypes, { receivedAt: event.payload?.received_at }),
        );
      },
    },
    {
      // Optional LLM rewrite of talk tracks: after the bundle exists, never in its way.
      on: 'interventions.created',
      handler: 'interventions.rewrite-talk-track',
      async run(platform, event) {
        if (event.entity_id) rewriters.get(platform)?.enqueue(event.tenant_id, event.entity_id);
      },
    },
  ],
  timelines: [interventionTimeline],
  setup(platform, app) {
    const llm = platform.config.llm;
    if (!llm) return;
    const rewriter = new TalkTrackRewriter(platform.database, llm, app.log, platform.outbound);
    rewriters.set(platform, rewriter);
    return () => rewriter.close();
  },
  routes: interventionsRoutes,
});
