import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchemaCompiler,
  type FastifyTypeProvider,
  LogController,
  type RawServerDefault,
} from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import client from 'prom-client';
import { z } from 'zod';
import { SESSION_COOKIE, type SessionUser } from '../auth/auth.service.js';
import type { ActorContext } from '../auth/auth-context.js';
import type { Permission } from '../auth/permissions.js';
import type { Tx } from '../db/database.js';
import { type ModuleDefinition, mountModules, mountRootRoutes } from '../modules/module-definition.js';
import { prop } from '../narrow.js';
import { DEFAULT_WEB_DIST } from '../paths.js';
import type { Platform } from '../platform.js';
import { registerCsrfGuard } from './csrf.js';
import { registerEdgeGuard } from './edge-guard.js';
import { registerLiveRoutes } from './live.js';
import { type Locale, negotiateLocale, zodIssueReasons } from './locale.js';
import { loggerOptions } from './log-redact.js';
import { forbidden, ProblemError, problemBody, unauthorized } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: ActorContext | null;
    sessionUser: SessionUser | null;
    /** process.hrtime.bigint() when the request came in (the duration metric). */
    startedAt?: bigint;
  }
  interface FastifyContextConfig {
    /** Permission the route requires; omit together with public: true for open routes. */
    permission?: Permission;
    public?: boolean;
  }
  interface FastifyInstance {
    platform: Platform;
    /** Runs fn in the caller's tenant transaction; relays the events it emitted after commit. */
    withTenant<T>(req: FastifyRequest, fn: (tx: Tx, ctx: ActorContext) => Promise<T>): Promise<T>;
    /**
     * Where the separate /metrics listener (ZHONGSHU_METRICS_PORT) is bound, once the app listens;
     * null when there is none or it could not bind (logged).
     */
    metricsAddress(): Promise<AddressInfo | null>;
  }
}

export type App = FastifyInstance;

/**
 * fastify-type-provider-zod's request side: a handler's `req.body`, `req.query` and `req.params`
 * are what the route's zod schemas output (the validator hands them over parsed). Replies are
 * not typed from the response schemas: they document the API, and the serialiser is
 * JSON.stringify (rows carry Dates where the schema says ISO string), as before.
 */
export interface AppTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: unknown;
}

/**
 * The Fastify instance modules get: with the zod type provider, so a route's handler reads
 * `req.body`, `req.query` and `req.params` typed from the zod schemas the route declares.
 */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  AppTypeProvider
>;

const httpDuration = new client.Histogram({
  name: 'zhongshu_http_request_duration_seconds',
  help: 'HTTP request duration',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});
let defaultMetricsStarted = false;

export async function buildApp(platform: Platform, modules: readonly ModuleDefinition[]): Promise<TypedApp> {
  const app = createFastify(platform);
  await registerSecurityHeaders(app, platform);
  await registerApiDocs(app);
  registerAuthentication(app, platform);
  // After the authentication check: NUL / unpaired surrogates anywhere, JSON nesting depth.
  registerEdgeGuard(app, { jsonMaxDepth: platform.config.limits.jsonMaxDepth });
  registerRequestMetrics(app);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const problem = problemOf(err, req, platform.config.limits.bodyBytes);
    sendProblem(reply, problem, req.url, negotiateLocale(req.headers['accept-language']));
  });

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  registerMetrics(app, platform.config.metrics);
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await app.register(
    async (api) => {
      registerLiveRoutes(api);
      await mountModules(api, platform, modules);
    },
    { prefix: '/api/v1' },
  );
  await mountRootRoutes(app, modules);
  await registerWebApp(app, platform);
  return app;
}

/** The Fastify instance with the zod type provider, the platform and the per-request decorations. */
function createFastify(platform: Platform): TypedApp {
  const app = Fastify({
    logger: platform.config.logLevel === 'silent' ? false : loggerOptions(platform.config.logLevel),
    // Fastify's two lines per request bury the start banner: one line, and only when asked for.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: platform.config.limits.bodyBytes,
    genReqId: () => crypto.randomUUID(),
    ajv: undefined,
  }).withTypeProvider<AppTypeProvider>();
  if (!defaultMetricsStarted) {
    client.collectDefaultMetrics();
    defaultMetricsStarted = true;
  }

  app.setValidatorCompiler(localisedValidatorCompiler);
  // Response schemas document the API; rows are serialised as plain JSON (dates → ISO strings).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorate('platform', platform);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionUser', null);
  app.decorate(
    'withTenant',
    async <T>(req: FastifyRequest, fn: (tx: Tx, ctx: ActorContext) => Promise<T>) => {
      const ctx = req.actor;
      if (!ctx) throw unauthorized();
      const result = await platform.database.tenantTx(ctx.tenantId, (tx) => fn(tx, ctx));
      // Reads emit no events; only writes need the relay woken (its poll covers the rest).
      if (req.method !== 'GET' && req.method !== 'HEAD') platform.bus.nudge();
      return result;
    },
  );

  return app;
}

/** Cookies, helmet (CSP; a looser one for /docs), the CSRF guard. */
async function registerSecurityHeaders(app: TypedApp, platform: Platform): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, helmetOptions(platform.config.cookieSecure));
  // The API reference page runs Scalar's inline bootstrap script and styles: its own, looser policy.
  app.addHook('onSend', async (req, reply) => {
    if (req.url === '/docs' || req.url.startsWith('/docs/') || req.url.startsWith('/docs?'))
      reply.header('content-security-policy', DOCS_CSP);
  });
  registerCsrfGuard(app);
}

/** The OpenAPI document (from the route schemas) and the API reference page at /docs. */
async function registerApiDocs(app: TypedApp): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Zhongshu API',
        description:
          'REST API of Zhongshu (中枢). JSON fields are snake_case; errors are RFC 9457 problem+json. ' +
          'Rate limits (per server process, per minute): 600 per API key or OAuth app, 6,000 per signed-in user, 600 per address without credentials ' +
          '(ZHONGSHU_RATE_LIMIT_*); beyond them 429 with RateLimit-Limit/-Remaining/-Reset and Retry-After. GraphQL: POST /graphql. ' +
          'OAuth 2.0 / OpenID Connect: /.well-known/openid-configuration. See docs/api.md.',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Session token from /auth/login, an API key, or an OAuth 2.0 access token',
          },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // No fonts from Scalar's CDN: the page must work offline and under its CSP (font-src 'self').
  await app.register(scalar, {
    routePrefix: '/docs',
    configuration: { url: '/openapi.json', withDefaultFonts: false },
  });
}

/** Who is calling (session cookie or bearer token), then 401/403 before any body validation. */
function registerAuthentication(app: TypedApp, platform: Platform): void {
  app.addHook('onRequest', async (req) => {
    req.startedAt = process.hrtime.bigint();
    // /metrics has its own bearer token, which is not a session.
    if (req.routeOptions.url === '/metrics') return;
    const header = req.headers.authorization;
    const token = header?.toLowerCase().startsWith('bearer ')
      ? header.slice(7).trim()
      : req.cookies?.[SESSION_COOKIE];
    if (!token) return;
    const resolved = await platform.auth.authenticate(token, header ? 'api' : 'ui');
    if (resolved) {
      req.actor = { ...resolved.ctx, requestId: req.id };
      req.sessionUser = resolved.user;
    }
  });

  // preValidation, so an anonymous caller gets 401 before any body validation tells it anything.
  app.addHook('preValidation', async (req) => {
    const cfg = req.routeOptions.config;
    if (!req.url.startsWith('/api/') || cfg?.public) return;
    if (!req.actor) throw unauthorized();
    if (cfg?.permission && !req.actor.permissions.has(cfg.permission) && !req.actor.permissions.has('*')) {
      throw forbidden(`Your role (${req.actor.role}) lacks the permission ${cfg.permission}`);
    }
  });
}

/** Request duration histogram (zhongshu_http_request_duration_seconds). */
function registerRequestMetrics(app: TypedApp): void {
  app.addHook('onResponse', async (req, reply) => {
    const started = req.startedAt;
    if (started === undefined) return;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: reply.statusCode },
      seconds,
    );
    if (app.platform.config.requestLog)
      req.log.info(
        {
          method: req.method,
          url: req.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
  });
}

/** What an error thrown anywhere in a request becomes: a ProblemError (500s are logged here). */
function problemOf(err: FastifyError, req: FastifyRequest, bodyLimit: number): ProblemError {
  let problem: ProblemError;
  if (err instanceof ProblemError) problem = err;
  else if (Array.isArray(err.validation) && err.validation.length > 0) {
    const where = err.validationContext ?? 'body';
    problem = new ProblemError(
      400,
      'Bad Request',
      `Invalid ${where}`,
      (err.validation as Partial<LocalisedValidationError>[]).map((v) => ({
        field: fieldName(v.instancePath ?? '', v.params?.issue),
        reason: v.message ?? 'invalid',
        reasons: v.reasons,
      })),
    );
  } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    problem = new ProblemError(400, 'Bad Request', 'Request body is not valid JSON');
  } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    problem = new ProblemError(400, 'Bad Request', 'Request body is empty');
  } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    problem = new ProblemError(
      415,
      'Unsupported Media Type',
      'Send the request body as application/json (or no body and no Content-Type)',
      [{ field: 'content-type', reason: 'application/json' }],
    );
  } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    problem = new ProblemError(413, 'Content Too Large', `Request body is larger than ${bodyLimit} bytes`);
  } else if (pgCode(err) === '23505') {
    problem = new ProblemError(409, 'Conflict', 'A record with the same unique value already exists', [
      { field: uniqueField(err), reason: 'already exists' },
    ]);
  } else if (pgCode(err) === '23503') {
    problem = new ProblemError(422, 'Unprocessable Content', 'A referenced record does not exist', [
      { field: fkField(err), reason: 'no such record in this tenant' },
    ]);
  } else if (
    pgCode(err) === '22P02' ||
    pgCode(err) === '22003' ||
    pgCode(err) === '22007' ||
    pgCode(err) === '22008' ||
    // NUL or bytes not valid in UTF-8: the edge guard rejects them; this is the last net.
    pgCode(err) === '22021' ||
    pgCode(err) === '22P05'
  ) {
    problem = new ProblemError(400, 'Bad Request', 'A value has the wrong format');
  } else if (typeof err.statusCode === 'number' && err.statusCode < 500) {
    problem = new ProblemError(err.statusCode, err.name ?? 'Error', err.message);
  } else {
    req.log.error({ err }, 'unhandled error');
    problem = new ProblemError(
      500,
      'Internal Server Error',
      'Something went wrong on our side; it has been logged.',
    );
  }
  return problem;
}

/** The built web app (static files, SPA fallback) or a page saying it is not built; problem+json 404s. */
async function registerWebApp(app: TypedApp, platform: Platform): Promise<void> {
  const webDist = platform.config.webDist ?? DEFAULT_WEB_DIST;
  const hasWeb = existsSync(join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Zhongshu 中枢</title><h1>Zhongshu 中枢</h1><p>The web app is not built. Run <code>npm run build --workspace web</code>. API docs: <a href="/docs">/docs</a></p>',
        ),
    );
  }
  app.setNotFoundHandler((req, reply) => {
    if (
      hasWeb &&
      req.method === 'GET' &&
      !req.url.startsWith('/api/') &&
      req.headers.accept?.includes('text/html')
    ) {
      return reply.sendFile('index.html');
    }
    const p = new ProblemError(404, 'Not Found', `No route ${req.method} ${req.url.split('?')[0]}`);
    return sendProblem(reply, p, req.url, negotiateLocale(req.headers['accept-language']));
  });
}

/** Same length and bytes, in constant time. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * /metrics (Prometheus text). On the public port it is open only with the bearer token
 * (ZHONGSHU_METRICS_TOKEN), else 401 — and 404 when no token is configured. ZHONGSHU_METRICS_PORT
 * serves it without a token on its own listener (ZHONGSHU_METRICS_HOST, default 127.0.0.1), which
 * starts when the app listens and closes with it.
 */
function registerMetrics(app: FastifyInstance, cfg: Platform['config']['metrics']) {
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    if (!cfg.token)
      throw new ProblemError(404, 'Not Found', `No route ${req.method} ${req.url.split('?')[0]}`);
    const header = req.headers.authorization ?? '';
    const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    if (!sameSecret(given, cfg.token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw unauthorized('The metrics token is missing or wrong');
    }
    reply.type(client.register.contentType);
    return client.register.metrics();
  });

  let bound: Promise<AddressInfo | null> = Promise.resolve(null);
  let listener: HttpServer | undefined;
  let markBound: (a: AddressInfo | null) => void = () => {};
  if (cfg.port !== undefined) {
    bound = new Promise((resolve) => {
      markBound = resolve;
    });
    app.addHook('onListen', async () => {
      const server = createHttpServer((req, res) => {
        const path = (req.url ?? '').split('?')[0];
        if (req.method !== 'GET' || path !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
          return;
        }
        client.register.metrics().then(
          (text) => res.writeHead(200, { 'content-type': client.register.contentType }).end(text),
          (err) => {
            app.log.error({ err }, 'metrics could not be collected');
            res.writeHead(500).end();
          },
        );
      });
      listener = server;
      await new Promise<void>((resolve) => {
        server.once('error', (err) => {
          app.log.error({ err }, `metrics listener could not bind ${cfg.host}:${cfg.port}`);
          listener = undefined;
          markBound(null);
          resolve();
        });
        server.listen(cfg.port, cfg.host, () => {
          markBound(server.address() as AddressInfo);
          resolve();
        });
      });
    });
    app.addHook('onClose', async () => {
      markBound(null);
      const server = listener;
      listener = undefined;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    });
  }
  app.decorate('metricsAddress', () => bound);
}

/** Content-Security-Policy of the web app (Vite-built external scripts; Mantine and charts set inline styles). */
export const APP_CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // Mantine writes its CSS variables in <style> tags and components set style="" attributes.
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The API reference (Scalar) needs its inline bootstrap script and styles; still no framing. */
const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  // Scalar's bundle evaluates code (its request snippets): only on this page.
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

function helmetOptions(cookieSecure: boolean) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        ...APP_CSP_DIRECTIVES,
        // Only behind TLS: on plain http (a LAN address) it would break every subresource.
        ...(cookieSecure ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' as const },
    // HSTS only when the deployment says it is served over https (COOKIE_SECURE=true).
    strictTransportSecurity: cookieSecure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' as const },
    crossOriginEmbedderPolicy: false,
  };
}

/** Sends the problem in the caller's language, saying which one (and that it depends on the header). */
function sendProblem(reply: FastifyReply, problem: ProblemError, instance: string, locale: Locale) {
  return reply
    .status(problem.status)
    .type('application/problem+json')
    .header('content-language', locale)
    .header('vary', 'Accept-Language')
    .send(problemBody(problem, instance, locale));
}

/** fastify-type-provider-zod's validation error entry, plus the reason in every locale. */
interface LocalisedValidationError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
  reasons: Record<Locale, string>;
}

/**
 * fastify-type-provider-zod's validator, except that each issue's reason is also rendered in every
 * locale (zod's own zh-CN/en messages need the rejected input, which zod drops from a finished
 * issue unless asked to report it; the input is used here and not kept).
 */
const localisedValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const result = z.safeParse(schema, data, { reportInput: true });
    if (result.success) return { value: result.data };
    const errors: LocalisedValidationError[] = result.error.issues.map((issue) => {
      const {
        path,
        code,
        message,
        input: _input,
        ...params
      } = issue as z.core.$ZodIssue & { input?: unknown };
      return {
        keyword: code,
        instancePath: `/${path.join('/')}`,
        schemaPath: `#/${path.join('/')}/${code}`,
        params,
        message,
        reasons: zodIssueReasons(issue),
      };
    });
    return { error: errors };
  };

function pgCode(err: unknown): string | undefined {
  const code = prop(err, 'code');
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  const causeCode = prop(prop(err, 'cause'), 'code');
  return typeof causeCode === 'string' ? causeCode : undefined;
}
function constraintOf(err: unknown): string {
  const cause = prop(err, 'cause');
  return String(
    prop(err, 'constraint') ??
      prop(cause, 'constraint') ??
      prop(err, 'detail') ??
      prop(cause, 'detail') ??
      '',
  );
}
function detailOf(err: unknown): string {
  return String(prop(err, 'detail') ?? prop(prop(err, 'cause'), 'detail') ?? '');
}
/** The key columns a constraint error names ("Key (tenant_id, email)=(…)"), without tenant_id. */
function keyColumns(err: unknown): string | undefined {
  const m = detailOf(err).match(/\(([^)]+)\)=/);
  if (!m) return undefined;
  return (
    m[1]
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== 'tenant_id')
      .join(',') || 'id'
  );
}
function uniqueField(err: unknown): string {
  return keyColumns(err) ?? constraintOf(err);
}
function fkField(err: unknown): string {
  const columns = keyColumns(err);
  if (columns) return columns;
  // Without a detail (PGlite): the same-tenant key is named <table>_<column>_same_tenant_fk.
  const name = String(prop(err, 'constraint') ?? prop(prop(err, 'cause'), 'constraint') ?? '');
  const sameTenant = name.match(/^[a-z]+(?:_[a-z]+)*?_([a-z]+_id)_same_tenant_fk$/);
  return sameTenant ? sameTenant[1] : constraintOf(err);
}
function fieldName(instancePath: string, issue: unknown): string {
  const path = prop(issue, 'path');
  if (Array.isArray(path) && path.length) return path.join('.');
  return instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
}
