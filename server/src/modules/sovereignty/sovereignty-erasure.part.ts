import { loadConfig } from '../../platform/config.js';
import { createPlatform } from '../../platform/platform.js';
import type { SovereigntyPart } from './sovereignty.part.js';
import { erasureRoutes } from './sovereignty-erasure.routes.js';
import { ERASURE_EVENT, refreshPendingReceipts, replayLedger } from './sovereignty-erasure.service.js';
import { EXPORT_QUEUE, PURGE_QUEUE, purgeExpiredExports, runExport } from './sovereignty-export.service.js';

/**
 * The erasure part of the sovereignty module (issue 13 items 2, 3 and 5): see everything held about
 * a person, export it (durable job, zip on disk, 7-day expiry), erase it everywhere with a ledger,
 * receipts from connected systems and a proof report; `zhongshu privacy:replay-ledger` after a restore.
 */
export const erasurePart: SovereigntyPart = {
  publishes: [
    {
      name: ERASURE_EVENT,
      when: 'a person was erased (payload: erasure_id, case_id, contact_id, trigger): connected systems erase their copy of that contact; the delivery is the receipt',
      when_zh:
        '某位联系人的个人信息已被删除（附删除编号、工单、联系人 ID）：对接系统请同步删除该联系人的副本，推送成功即视为回执',
    },
  ],
  jobs: [
    {
      queue: EXPORT_QUEUE,
      description: 'Build a personal-data export (JSON + CSV zip) module by module, with progress',
      run: (platform, data: { tenantId: string; exportId: string }) => runExport(platform, data),
    },
    {
      queue: PURGE_QUEUE,
      cron: '23 * * * *',
      description: 'Delete personal-data exports older than 7 days (files and rows)',
      run: (platform) => purgeExpiredExports(platform),
    },
    {
      queue: 'sovereignty.erasure-receipts',
      cron: '*/5 * * * *',
      description: 'Bring pending erasure receipts up to date from the webhook deliveries',
      run: (platform) => refreshPendingReceipts(platform),
    },
  ],
  routes: erasureRoutes,
  cli(program, rt) {
    program
      .command('privacy:replay-ledger')
      .description(
        'After restoring a backup: re-apply every erasure of the ledger (file and table), so nobody erased comes back',
      )
      .option('--tenant <id>', 'only this tenant')
      .option('--ledger <file>', 'the ledger file (default: <data dir>/privacy/erasure-ledger.jsonl)')
      .action(async (opts: { tenant?: string; ledger?: string }) => {
        const result = await rt.withDatabase(async (database) => {
          const { appModules } = await import('../index.js');
          const platform = await createPlatform(loadConfig(), { database, migrate: false });
          for (const m of appModules)
            if (m.personalData) platform.personalData.register(m.name, m.personalData);
          return replayLedger(platform, { tenantId: opts.tenant, file: opts.ledger });
        });
        rt.out(
          `ledger entries: ${result.entries} (${result.restored_entries} put back into the table); contacts erased again: ${result.contacts_erased}\n`,
        );
      });
  },
};
