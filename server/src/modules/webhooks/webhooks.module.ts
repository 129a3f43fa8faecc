import { defineModule, resourceEvents } from '../../platform/modules/module-definition.js';
import { webhookDispatcher } from './webhooks.dispatcher.js';
import { webhooksPersonalData } from './webhooks.personal-data.js';
import { webhooksRoutes } from './webhooks.routes.js';
import { endpointService, fanOut, knownToHaveNoEndpoints, purgeOldMessages } from './webhooks.service.js';

/** Outbound webhooks: tenants subscribe endpoints to domain events, signed, retried, replayable. */
export const webhooksModule = defineModule({
  name: 'webhooks',
  summary:
    'Sends domain events to subscribed endpoints (Standard Webhooks signatures), retries ~3 days, keeps a 90-day log for replay and recovery.',
  personalData: webhooksPersonalData,
  permissions: ['webhooks:manage'],
  publishes: [
    ...resourceEvents(endpointService),
    {
      name: 'webhook_endpoints.disabled',
      when: 'the dispatcher disabled an endpoint: it answered 410, or 5 days of attempts failed (admins are mailed)',
      when_zh: 'Webhook 地址被自动停用：对方返回 410，或连续 5 天推送失败（已邮件通知管理员）',
    },
  ],
  subscriptions: [
    {
      // Every event of every module: the fan-out keeps what an endpoint wants (idempotent).
      on: '*',
      handler: 'webhooks.fan-out',
      async run(platform, ev) {
        if (knownToHaveNoEndpoints(platform.caches, ev.tenant_id)) return;
        const queued = await platform.database.tenantTx(ev.tenant_id, (tx) => fanOut(tx, ev));
        if (queued > 0) webhookDispatcher(platform).nudge();
      },
    },
  ],
  jobs: [
    {
      queue: 'webhooks.purge-messages',
      cron: '41 4 * * *',
      description: 'Delete webhook messages (with deliveries and attempts) older than 90 days',
      run: (platform) => platform.database.systemTx((tx) => purgeOldMessages(tx)),
    },
  ],
  setup(platform) {
    return () => webhookDispatcher(platform).stop();
  },
  startWorkers(platform) {
    webhookDispatcher(platform).start();
  },
  routes: webhooksRoutes,
});
