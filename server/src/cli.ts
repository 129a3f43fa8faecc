import { hostname } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_TENANT, seedDemo } from './modules/crm/demo-seed.js';
import { appModules } from './modules/index.js';
import { RETRAIN_LEAD_QUEUE, RETRAIN_QUEUE } from './modules/predict/predict.jobs.js';
import { seedDemoQuotas } from './modules/predict/quota.service.js';
import { simulateSignals } from './modules/signals/signals.cli.js';
import { seedPrivacyDemo } from './modules/sovereignty/sovereignty-demo.js';
import { userService } from './platform/auth/auth.routes.js';
import { systemContext } from './platform/auth/auth-context.js';
import { ROLES, type Role } from './platform/auth/permissions.js';
import { type AppConfig, ConfigError, loadConfig } from './platform/config.js';
import { DataDirLockedError } from './platform/db/data-dir-lock.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { migrateDatabase } from './platform/db/migrate.js';
import {
  type AdminIo,
  HandOverToServer,
  type LocalAdminServer,
  runOnServer,
  serveLocalAdmin,
} from './platform/local-admin/admin-channel.js';
import { CliError, type CliRuntime } from './platform/local-admin/cli-runtime.js';
import { registerModuleCommands } from './platform/modules/module-definition.js';
import { ensureTenant, findTenantByName } from './platform/tenancy/tenant.service.js';
import { createServer, type Server } from './server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens the database for a command in its own process. When a running server holds the embedded
 * data dir, the command is handed to it instead (HandOverToServer); a server still starting up
 * (migrating, seeding) is waited for until it serves CLI commands.
 */
async function openForCli(config: AppConfig): Promise<Database> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      return await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
    } catch (err) {
      if (!(err instanceof DataDirLockedError)) throw err;
      const { holder } = err;
      if (holder.admin && holder.hostname === hostname())
        throw new HandOverToServer({ ...holder, admin: holder.admin });
      if (holder.command !== 'zhongshu start' || Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

/** The CLI in its own process: stdout/stderr, its own database connection (or the server's). */
function processRuntime(): CliRuntime {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    server: null,
    exitCode: 0,
    async withDatabase(fn) {
      const database = await openForCli(loadConfig());
      try {
        await migrateDatabase(database);
        return await fn(database);
      } finally {
        await database.close();
      }
    },
  };
}

/** A command handed over by another process, run inside this server on its (migrated) database. */
function serverRuntime(server: Server, io: AdminIo & { cwd: string }): CliRuntime {
  return {
    out: io.out,
    err: io.err,
    cwd: io.cwd,
    server: { pid: process.pid },
    exitCode: 0,
    withDatabase: (fn) => fn(server.platform.database),
  };
}

/** `zhongshu: …` one line; commander's own messages start with "error: ". */
function oneLine(message: string): string {
  return `zhongshu: ${message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()}\n`;
}

function buildProgram(rt: CliRuntime): Command {
  const say = (line: string) => rt.out(`${line}\n`);
  const program = new Command();
  program
    .name('zhongshu')
    .description('Zhongshu (中枢) — AI-native sales hub')
    // Usage errors: one line on stderr, exit 2 (subcommands inherit these settings).
    .exitOverride()
    .configureOutput({
      writeOut: (text) => rt.out(text),
      writeErr: (text) => rt.err(text),
      outputError: (text, write) => write(oneLine(text)),
    });

  program
    .command('start')
    .description('Migrate, seed the demo tenant when the database is empty, and serve the API and web app')
    .action(async () => {
      if (rt.server) throw new CliError(`the server is already running (process ${rt.server.pid})`);
      await startServer(rt);
    });

  program
    .command('migrate')
    .description('Apply database migrations (and row-level security)')
    .action(async () => {
      await rt.withDatabase(async () => undefined);
      if (rt.server)
        say(`Migrations applied (by the running server, process ${rt.server.pid}, when it started).`);
      else say('Migrations applied.');
    });
  const seed = program.command('seed').description('Load data');
  seed
    .command('demo')
    .description('Seed realistic Chinese B2B demo data into a tenant (created when missing)')
    .option('--tenant <name>', 'tenant name', DEMO_TENANT)
    .action(async (opts: { tenant: string }) => {
      const summary = await rt.withDatabase(async (db) => {
        const result = await seedDemo(db, opts.tenant);
        // Quotas come from the seeded won history, so the forecast page shows them at once.
        const tenantId = result.created ? (await findTenantByName(db, opts.tenant))?.id : undefined;
        if (tenantId) await seedDemoQuotas(db, tenantId);
        if (tenantId) await seedPrivacyDemo(db, tenantId);
        return result;
      });
      if (!summary.created)
        say(`Tenant "${opts.tenant}" already has data (${summary.accounts} accounts); nothing seeded.`);
      else
        say(
          `Seeded tenant "${summary.tenant}": ${summary.users} users, ${summary.accounts} accounts, ${summary.contacts} contacts, ${summary.opportunities} opportunities, ${summary.activities} activities. Password for every demo user: ${DEMO_PASSWORD}`,
        );
    });

  const user = program.command('user').description('Manage users');
  user
    .command('create')
    .description('Create a user (and the tenant when it does not exist)')
    .requiredOption('--tenant <name>', 'tenant name')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).default('rep'))
    .option('--name <name>', 'display name (defaults to the email)')
    .action(async (opts: { tenant: string; email: string; password: string; role: Role; name?: string }) => {
      if (opts.password.length < 8) throw new CliError('--password: at least 8 characters');
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(opts.email))
        throw new CliError(`--email: "${opts.email}" is not an email address`);
      await rt.withDatabase(async (db) => {
        const { tenant, created } = await ensureTenant(db, opts.tenant);
        const ctx = systemContext(tenant.id, 'cli', 'zhongshu CLI');
        const row = await db.tenantTx(tenant.id, async (tx) => {
          const exists = await userService.list(tx, ctx, { q: opts.email.toLowerCase(), limit: 5 });
          if (exists.data.some((u) => String(u.email) === opts.email.toLowerCase())) {
            throw new CliError(`A user with email ${opts.email} already exists in tenant "${opts.tenant}"`);
          }
          return userService.create(
            tx,
            ctx,
            { email: opts.email, name: opts.name ?? opts.email, role: opts.role, password: opts.password },
            { method: 'manual' },
          );
        });
        say(
          `${created ? `Created tenant "${opts.tenant}". ` : ''}Created ${opts.role} ${row.email} (id ${row.id}).`,
        );
      });
    });

  // import (crm), signals import / simulate signals (signals), predict evaluate / forecast-eval (predict) …
  registerModuleCommands(program, rt, appModules);
  return program;
}

/** Runs one command line; resolves to its exit code. The same in the CLI process and in the server. */
export async function runCli(argv: string[], rt: CliRuntime): Promise<number> {
  try {
    await buildProgram(rt).parseAsync(argv, { from: 'user' });
    return rt.exitCode;
  } catch (err: unknown) {
    if (err instanceof HandOverToServer) return runOnServer(err.holder, argv, rt.cwd, rt);
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return 2; // already printed: one line (or the help, for a bare `zhongshu`)
    }
    if (err instanceof CliError || err instanceof ConfigError) {
      rt.err(`zhongshu: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DataDirLockedError) {
      rt.err(`zhongshu: ${err.message}\n`);
      return 1;
    }
    const e = err as { status?: number; message?: string; errors?: { field: string; reason: string }[] };
    if (e?.status && e.status < 500) {
      rt.err(
        `zhongshu: ${e.message}${e.errors?.length ? ` (${e.errors.map((x) => `${x.field}: ${x.reason}`).join('; ')})` : ''}\n`,
      );
      return 2;
    }
    rt.err(`${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

async function startServer(rt: CliRuntime) {
  const say = (line: string) => rt.out(`${line}\n`);
  const started = Date.now();
  const config = loadConfig();
  const server = await createServer(config, { startWorkers: false });
  let admin: LocalAdminServer | undefined;
  try {
    const { rows } = await server.platform.database.query<{ n: number }>(
      'select count(*)::int as n from tenants',
      [],
    );
    let seeded = false;
    if (rows[0].n === 0 && config.demoSeed) {
      const summary = await seedDemo(server.platform.database, DEMO_TENANT);
      seeded = true;
      // Portal-enabled contacts, consent history and open privacy cases (the data sovereignty center).
      const id = (await findTenantByName(server.platform.database, DEMO_TENANT))?.id;
      if (id) await seedPrivacyDemo(server.platform.database, id);
      server.app.log.info(summary, 'seeded the demo tenant');
    }
    // Holding the embedded data dir: other processes' CLI commands run here (see admin-channel.ts).
    const lock = server.platform.database.dataDirLock;
    if (lock)
      admin = await serveLocalAdmin({
        lock,
        run: (argv, io) => runCli(argv, serverRuntime(server, io)),
        log: (msg, fields) => server.app.log.info(fields, msg),
      });
    await server.app.listen({ port: config.port, host: config.host });
    // Workers start after the port is open: the API is usable while pg-boss prepares its schema.
    const demoTenantId = seeded
      ? (await findTenantByName(server.platform.database, DEMO_TENANT))?.id
      : undefined;
    server
      .startWorkers()
      // A fresh demo gets its first models now rather than at the weekly retrain.
      .then(async () => {
        if (!demoTenantId) return;
        await server.platform.jobs.send(RETRAIN_QUEUE, { tenantId: demoTenantId });
        await server.platform.jobs.send(RETRAIN_LEAD_QUEUE, { tenantId: demoTenantId });
        await seedDemoQuotas(server.platform.database, demoTenantId);
      })
      .catch((err) => server.app.log.error({ err }, 'job workers failed to start'));
    const address = server.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://localhost:${port}`;
    const db = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
    say(`\n  Zhongshu 中枢 is running at ${url}  (${db}, ready in ${Date.now() - started} ms)`);
    say(`  API docs: ${url}/docs`);
    if (seeded || (await findTenantByName(server.platform.database, DEMO_TENANT))) {
      say(`  Demo login: ${DEMO_ADMIN_EMAIL} / ${DEMO_PASSWORD}  (tenant "${DEMO_TENANT}")\n`);
    }
    if (config.demoSimulateRate > 0 && (await findTenantByName(server.platform.database, DEMO_TENANT))) {
      // Keeps the demo alive: realistic signals about the demo accounts, through the public API.
      const login = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD },
      });
      if (login.statusCode === 200) {
        say(`  Streaming ${config.demoSimulateRate} demo signals/s into tenant "${DEMO_TENANT}".`);
        simulateSignals({
          url,
          token: login.json().token,
          rate: config.demoSimulateRate,
          durationSeconds: 0,
          log: () => {},
        }).catch((err) => server.app.log.warn({ err }, 'demo signal simulation stopped'));
      }
    }
  } catch (err) {
    // E.g. the port is taken: give the data dir back instead of hanging on the admin socket.
    await admin?.close();
    await server.close();
    throw err;
  }
  const shutdown = async () => {
    await admin?.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

const runtime = processRuntime();
const code = await runCli(process.argv.slice(2), runtime);
if (code !== 0) process.exitCode = code;
