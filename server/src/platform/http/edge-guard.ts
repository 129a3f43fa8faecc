import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type FieldError, ProblemError } from './problem.js';

/**
 * Input checks at the edge, before any route validates or stores anything: no NUL character and
 * no unpaired UTF-16 surrogate in any key or string value of the path parameters, the query or
 * the body (PostgreSQL cannot store either in text), and no JSON body nested deeper than the
 * configured depth (deep input must never reach recursive code). Every walk is iterative.
 */

export const NUL_REASON = 'must not contain a NUL character (\\u0000)';
export const SURROGATE_REASON = 'must not contain an unpaired surrogate (not valid Unicode)';

type Part = 'params' | 'querystring' | 'body';

/** A key made printable for a field name: NUL and lone surrogates shown as \uXXXX escapes. */
function printable(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0) out += '\\u0000';
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < key.length) {
      const d = key.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += key[i] + key[i + 1];
        i++;
      } else out += `\\u${c.toString(16)}`;
    } else if (c >= 0xd800 && c <= 0xdfff) out += `\\u${c.toString(16)}`;
    else out += key[i];
  }
  return out;
}

/** Why the text cannot be stored, or undefined when it is fine. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL_REASON;
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return SURROGATE_REASON;
  return undefined;
}

interface Frame {
  value: unknown;
  path: string[];
  depth: number;
}

/**
 * Walks a parsed value without recursion and reports the first bad key or string (field = the
 * dotted path) and the first place nested deeper than maxDepth (objects and arrays count one level
 * each; the top-level value is level 1).
 */
export function inspectValue(
  value: unknown,
  maxDepth = Number.POSITIVE_INFINITY,
): {
  error?: FieldError;
  tooDeep?: string;
} {
  const stack: Frame[] = [{ value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop() as Frame;
    if (typeof v === 'string') {
      const reason = textProblem(v);
      if (reason) return { error: { field: path.join('.') || '(root)', reason } };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) return { tooDeep: path.join('.') || '(root)' };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], path: [...path, String(i)], depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const reason = textProblem(key);
      if (reason) return { error: { field: [...path, printable(key)].join('.'), reason } };
      stack.push({ value: (v as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
    }
  }
  return {};
}

/** Throws the 400 for a value that cannot be taken in (bad text, too deep). */
export function assertAcceptable(value: unknown, part: Part, maxDepth?: number): void {
  const { error, tooDeep } = inspectValue(value, maxDepth);
  if (error) throw new ProblemError(400, 'Bad Request', `Invalid ${part}`, [error]);
  if (tooDeep !== undefined)
    throw new ProblemError(400, 'Bad Request', 'Request body is nested too deeply', [
      { field: tooDeep, reason: `more than ${maxDepth} levels of nesting` },
    ]);
}

/** JSON.parse for raw bodies read by a route itself (webhooks), with the same checks as the edge. */
export function parseGuardedJson(raw: string, maxDepth: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ProblemError(400, 'Bad Request', 'Request body is not valid JSON');
  }
  assertAcceptable(value, 'body', maxDepth);
  return value;
}

/** Byte size of a value as JSON (undefined counts as nothing). */
export function jsonBytes(value: unknown): number {
  if (value === undefined) return 0;
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Registers the edge checks on the app (call after the authentication hook, so an anonymous
 * caller still gets 401 first). Path parameters and the query are checked for bad text, the body
 * for bad text and depth, whatever parser read it.
 */
export function registerEdgeGuard(app: FastifyInstance, opts: { jsonMaxDepth: number }): void {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    assertAcceptable(req.params, 'params');
    assertAcceptable(req.query, 'querystring');
    if (req.body !== undefined) assertAcceptable(req.body, 'body', opts.jsonMaxDepth);
  });
}
