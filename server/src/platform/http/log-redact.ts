import type { FastifyRequest } from 'fastify';
import pino from 'pino';

/**
 * What the logs never carry: password hashes, webhook secrets, API keys, session tokens and (unless
 * LOG_LEVEL is trace) the parameters of a failed query. Drizzle's "Failed query" errors put every
 * parameter in their message, stack and `params` field; pg errors may quote values in `detail`.
 */

const SECRET_PATTERNS: [RegExp, string][] = [
  // $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>: base64 parts, with , and = in the parameters.
  [/\$argon2(id|i|d)\$[A-Za-z0-9$=,+/.-]*/g, '$argon2$1$[redacted]'],
  [/\bwhsec_[A-Za-z0-9+/=_-]+/g, 'whsec_[redacted]'],
  [/\bzs_key_[A-Za-z0-9_-]+/g, 'zs_key_[redacted]'],
  [/\bzs_sess_[A-Za-z0-9_-]+/g, 'zs_sess_[redacted]'],
  [/\b(Bearer|bearer)\s+[A-Za-z0-9._~+/=-]{16,}/g, '$1 [redacted]'],
];

/** The text with every secret-looking token masked. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Drizzle's "Failed query: …\nparams: …" without the params line (in a message or a stack). */
export function stripQueryParams(text: string): string {
  const at = text.indexOf('\nparams: ');
  if (at < 0) return text;
  // In a stack the frames follow the message; keep them.
  const frames = text.indexOf('\n    at ', at);
  return `${text.slice(0, at)}\nparams: [not logged]${frames < 0 ? '' : text.slice(frames)}`;
}

const MAX_DEPTH = 6;

/** A copy of a serialised log value with secrets masked and query params dropped (unless kept). */
export function sanitizeLogValue(value: unknown, keepParams: boolean, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(keepParams ? value : stripQueryParams(value));
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => sanitizeLogValue(v, keepParams, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'params' && !keepParams) continue;
    out[k] = sanitizeLogValue(v, keepParams, depth + 1);
  }
  return out;
}

/**
 * pino options for the app's logger: err serialised by pino's standard serializer (cause chain
 * included) and then sanitised; headers that hold credentials and secret-named fields redacted.
 */
export function loggerOptions(level: string): pino.LoggerOptions {
  const keepParams = level === 'trace';
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        '*.password',
        '*.password_hash',
        '*.webhook_secret',
        '*.token',
        '*.key_hash',
        '*.token_hash',
      ],
      censor: '[redacted]',
    },
    serializers: {
      err: (err: Error) => sanitizeLogValue(pino.stdSerializers.err(err), keepParams),
      // Fastify's request serializer, with secrets masked in the URL.
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: maskSecrets(String(req.url ?? '')),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    hooks: {
      // Message strings too: `log.warn(err.message)` must not carry a failed query's params.
      logMethod(args, method) {
        const clean = args.map((a) =>
          typeof a === 'string' ? sanitizeLogValue(a, keepParams) : a,
        ) as Parameters<typeof method>;
        method.apply(this, clean);
      },
    },
  };
}
