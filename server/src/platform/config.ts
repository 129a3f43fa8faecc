import { resolve } from 'node:path';
import { z } from 'zod';

const blankAsUnset = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

// Every setting comes from the environment, validated once at start-up (documented in README).
const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined)),
  ZHONGSHU_DATA_DIR: z.string().default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // One log line per request at info; off by default so the start banner and errors stand out.
  ZHONGSHU_REQUEST_LOG: z.enum(['on', 'off']).default('off'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 7),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  ZHONGSHU_JOBS: z.enum(['on', 'off']).default('on'),
  ZHONGSHU_DEMO_SEED: z.enum(['on', 'off']).default('on'),
  ZHONGSHU_WEB_DIST: z.string().optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  ZHONGSHU_DEMO_SIMULATE: z.coerce.number().min(0).max(1000).default(0),
  // Optional OpenAI-compatible endpoint that rewrites intervention talk tracks; off when unset.
  ZHONGSHU_LLM_BASE_URL: blankAsUnset.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ZHONGSHU_LLM_API_KEY: blankAsUnset,
  ZHONGSHU_LLM_MODEL: blankAsUnset,
  ZHONGSHU_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
  // Request limits (trust): body size, JSON nesting depth, one signal's payload size.
  ZHONGSHU_BODY_LIMIT_MB: z.coerce.number().positive().max(1024).default(64),
  ZHONGSHU_JSON_MAX_DEPTH: z.coerce.number().int().min(4).max(1000).default(32),
  ZHONGSHU_SIGNAL_PAYLOAD_MAX_KB: z.coerce.number().positive().max(10_240).default(64),
  // /metrics: a bearer token, or its own listen address; unset = 404 on the public port.
  ZHONGSHU_METRICS_TOKEN: blankAsUnset,
  ZHONGSHU_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ZHONGSHU_METRICS_HOST: z.string().default('127.0.0.1'),
  // Outbound HTTP (LLM, webhooks, connectors): hosts/CIDRs allowed even though private or loopback.
  ZHONGSHU_OUTBOUND_ALLOW: blankAsUnset,
  // Login throttling: failed attempts per IP and per account in a window, before 429.
  ZHONGSHU_LOGIN_MAX_PER_IP: z.coerce.number().int().min(1).max(100_000).default(30),
  ZHONGSHU_LOGIN_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(5),
  ZHONGSHU_LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  // Mail (notices to admins, later the customer portal): an SMTP URL; unset = mail is not sent (logged).
  ZHONGSHU_SMTP_URL: blankAsUnset.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  ZHONGSHU_MAIL_FROM: z.string().default('Zhongshu 中枢 <no-reply@zhongshu.local>'),
  // Where people reach this server (links in mails, e.g. the portal's sign-in link); unset = the
  // address the request came to (its Host header — set this behind a proxy and in production).
  // The erasure ledger (hashes of erased people, replayed after a restore): keep it outside the backups.
  ZHONGSHU_ERASURE_LEDGER: blankAsUnset.pipe(z.string().optional()),
  ZHONGSHU_PUBLIC_URL: blankAsUnset.pipe(z.url({ protocol: /^https?$/ }).optional()),
  // Outbound webhooks: multiplies the retry schedule (1 = the documented ~3.2 days; tests and benches shrink it).
  ZHONGSHU_WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(10).default(1),
});

export type AppConfig = {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Log one line per request (method, route, status, duration) at info. */
  requestLog: boolean;
  sessionTtlHours: number;
  cookieSecure: boolean;
  jobs: boolean;
  demoSeed: boolean;
  webDist: string | undefined;
  dbPoolSize: number;
  /** Signals per second `start` streams into the demo tenant (0 = off). */
  demoSimulateRate: number;
  /** OpenAI-compatible chat endpoint for talk-track rewrites; null = off (templates only). */
  llm: LlmConfig | null;
  limits: {
    /** Largest request body, in bytes (413 beyond). */
    bodyBytes: number;
    /** Deepest JSON nesting accepted in a request body (400 beyond). */
    jsonMaxDepth: number;
    /** Largest JSON payload of one signal, in bytes (413 beyond). */
    signalPayloadBytes: number;
  };
  metrics: {
    /** Bearer token that opens /metrics on the public port; undefined = closed there. */
    token: string | undefined;
    /** Own listen address for /metrics (no token needed there); undefined = none. */
    port: number | undefined;
    host: string;
  };
  outbound: {
    /** Host names, IP addresses or CIDR ranges an admin allows although private/loopback/link-local. */
    allow: string[];
  };
  /** Where the erasure ledger file lives (ZHONGSHU_ERASURE_LEDGER); undefined = <data dir>/privacy/. */
  erasureLedger?: string;
  /** The server's public origin for links in mails (ZHONGSHU_PUBLIC_URL); undefined = the request's. */
  publicUrl?: string;
  mail: {
    /** smtp(s)://user:pass@host:port; undefined = mail is not sent (the attempt is logged). */
    smtpUrl: string | undefined;
    from: string;
  };
  webhooks: {
    /** Factor on the retry delays (1 = 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). */
    retryScale: number;
  };
  login: {
    maxFailuresPerIp: number;
    maxFailuresPerAccount: number;
    windowSeconds: number;
  };
};

export interface LlmConfig {
  /** e.g. https://api.deepseek.com/v1 or http://127.0.0.1:11434/v1 (Ollama) */
  baseUrl: string;
  /** Local servers (vLLM, Ollama) usually need none. */
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.ZHONGSHU_LLM_BASE_URL && !e.ZHONGSHU_LLM_MODEL)
    throw new ConfigError(
      'Invalid configuration:\n  ZHONGSHU_LLM_MODEL: required when ZHONGSHU_LLM_BASE_URL is set (the model name the endpoint serves)',
    );
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.ZHONGSHU_DATA_DIR),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    requestLog: e.ZHONGSHU_REQUEST_LOG === 'on',
    sessionTtlHours: e.SESSION_TTL_HOURS,
    cookieSecure: e.COOKIE_SECURE,
    jobs: e.ZHONGSHU_JOBS === 'on',
    demoSeed: e.ZHONGSHU_DEMO_SEED === 'on',
    webDist: e.ZHONGSHU_WEB_DIST,
    dbPoolSize: e.DB_POOL_SIZE,
    demoSimulateRate: e.ZHONGSHU_DEMO_SIMULATE,
    llm:
      e.ZHONGSHU_LLM_BASE_URL && e.ZHONGSHU_LLM_MODEL
        ? {
            baseUrl: e.ZHONGSHU_LLM_BASE_URL,
            apiKey: e.ZHONGSHU_LLM_API_KEY,
            model: e.ZHONGSHU_LLM_MODEL,
            timeoutMs: e.ZHONGSHU_LLM_TIMEOUT_MS,
          }
        : null,
    limits: {
      bodyBytes: Math.round(e.ZHONGSHU_BODY_LIMIT_MB * 1024 * 1024),
      jsonMaxDepth: e.ZHONGSHU_JSON_MAX_DEPTH,
      signalPayloadBytes: Math.round(e.ZHONGSHU_SIGNAL_PAYLOAD_MAX_KB * 1024),
    },
    metrics: {
      token: e.ZHONGSHU_METRICS_TOKEN,
      port: e.ZHONGSHU_METRICS_PORT,
      host: e.ZHONGSHU_METRICS_HOST,
    },
    outbound: {
      allow: (e.ZHONGSHU_OUTBOUND_ALLOW ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    mail: { smtpUrl: e.ZHONGSHU_SMTP_URL, from: e.ZHONGSHU_MAIL_FROM },
    erasureLedger: e.ZHONGSHU_ERASURE_LEDGER,
    publicUrl: e.ZHONGSHU_PUBLIC_URL?.replace(/\/+$/, ''),
    webhooks: { retryScale: e.ZHONGSHU_WEBHOOK_RETRY_SCALE },
    login: {
      maxFailuresPerIp: e.ZHONGSHU_LOGIN_MAX_PER_IP,
      maxFailuresPerAccount: e.ZHONGSHU_LOGIN_MAX_PER_ACCOUNT,
      windowSeconds: e.ZHONGSHU_LOGIN_WINDOW_SECONDS,
    },
  };
}
