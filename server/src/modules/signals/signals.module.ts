import { defineModule, resourceEvents } from '../../platform/modules/module-definition.js';
import { registerSignalCommands } from './signals.cli.js';
import { signalsMergeSubscriptions } from './signals.merge.js';
import { signalsPersonalData } from './signals.personal-data.js';
import { signalsRoutes } from './signals.routes.js';
import { SIGNALS_INGESTED, signalTypeService, sourceService } from './signals.service.js';
import { signalTimeline } from './signals.timeline.js';

/** Signals from every system a customer touches: ingest, entity resolution, review, sources. */
export const signalsModule = defineModule({
  name: 'signals',
  summary:
    'Takes in signals (API, webhooks, files), resolves them to accounts/contacts/opportunities, keeps the review queue, sources and signal types.',
  personalData: signalsPersonalData,
  permissions: ['signals:read', 'signals:write', 'signals:manage'],
  publishes: [
    {
      name: SIGNALS_INGESTED,
      when: 'signals were stored for accounts (payload: account → signal types, received_at); pending ones of a tenant are delivered merged',
      when_zh: '客户有新信号入库（附客户与信号类型、接收时间）；同一租户待处理的会合并推送',
    },
    ...resourceEvents(sourceService, signalTypeService),
  ],
  // Account and contact merges move the signals about the merged record (and back on undo).
  subscriptions: signalsMergeSubscriptions,
  timelines: [signalTimeline],
  routes: signalsRoutes,
  cli: registerSignalCommands,
});
