import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { systemContext } from '../../platform/auth/auth-context.js';
import { CliError, type CliRuntime } from '../../platform/local-admin/cli-runtime.js';
import { findTenantByName } from '../../platform/tenancy/tenant.service.js';
import type { ImportableEntity } from './crm.service.js';
import { parseImportFile, runImport } from './crm-import.service.js';

/** `zhongshu import --tenant T --entity E --file F [--dry-run] [--mapping JSON]`: the CRM file import. */
export function registerCrmCommands(program: Command, rt: CliRuntime): void {
  const say = (line: string) => rt.out(`${line}\n`);
  program
    .command('import')
    .description('Import a CSV or Excel file into a tenant (validates every row; --dry-run only reports)')
    .requiredOption('--tenant <name>', 'tenant name')
    .addOption(
      new Option('--entity <entity>', 'what the rows are')
        .choices(['accounts', 'contacts', 'opportunities', 'activities', 'products'])
        .makeOptionMandatory(),
    )
    .requiredOption('--file <path>', 'CSV or .xlsx file')
    .option('--dry-run', 'validate only', false)
    .option('--mapping <json>', 'JSON object: file column → field')
    .action(
      async (opts: {
        tenant: string;
        entity: ImportableEntity;
        file: string;
        dryRun: boolean;
        mapping?: string;
      }) => {
        let content: Buffer;
        try {
          content = readFileSync(resolve(rt.cwd, opts.file));
        } catch {
          throw new CliError(`--file: cannot read ${opts.file}`);
        }
        let mapping: Record<string, string> | undefined;
        try {
          mapping = opts.mapping ? JSON.parse(opts.mapping) : undefined;
        } catch {
          throw new CliError('--mapping: not valid JSON');
        }
        await rt.withDatabase(async (db) => {
          const tenant = await findTenantByName(db, opts.tenant);
          if (!tenant) throw new CliError(`No tenant named "${opts.tenant}"`);
          const file = await parseImportFile(content, opts.file);
          const ctx = systemContext(tenant.id, `import:${file.format}`, 'zhongshu CLI');
          const t0 = Date.now();
          const result = await db.tenantTx(tenant.id, (tx) =>
            runImport(tx, ctx, opts.entity, file, mapping, opts.dryRun),
          );
          for (const e of result.errors.slice(0, 200)) say(`row ${e.row}: ${e.field}: ${e.reason}`);
          if (result.errors.length > 200) say(`… and ${result.errors.length - 200} more errors`);
          say(
            `${opts.dryRun ? 'Dry run: ' : ''}${result.total} rows, ${result.valid} valid, ${result.invalid} invalid${opts.dryRun ? '' : `, ${result.imported} imported`} in ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
          );
          if (result.invalid > 0) rt.exitCode = 1;
        });
      },
    );
}
