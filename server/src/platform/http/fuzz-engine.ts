/**
 * The API fuzzer (test and benchmark only; nothing in the product imports it). It reads the
 * server's own /openapi.json and sends every operation malformed variants drawn with fast-check:
 * wrong types, null, missing and extra fields, huge strings, deep nesting, NUL, unpaired
 * surrogates, numeric edges, impossible dates, injection strings, prototype keys, malformed query
 * parameters and cursors, bad path ids, broken JSON, wrong content types, no or bad credentials.
 * Every answer must be < 500, and a rejected (4xx) request must not change the row count of any
 * table.
 */
import fc from 'fast-check';
import { prop } from '../narrow.js';

export interface FuzzResponse {
  statusCode: number;
  body: string;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** What was varied, for the report. */
  variant: string;
}

export interface FuzzTarget {
  send(req: FuzzRequest): Promise<FuzzResponse>;
  /** Total rows over every table that a request may write (checked after each rejected request). */
  countRows(): Promise<number>;
}

export interface Operation {
  method: string;
  /** OpenAPI path, e.g. /api/v1/accounts/{id} */
  path: string;
  pathParams: string[];
  query: { name: string; schema: JsonSchema }[];
  body?: JsonSchema;
  public: boolean;
}

/** The parts of a JSON Schema (OpenAPI 3.1) the fuzzer reads. */
interface JsonSchema {
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  format?: string;
  minLength?: number;
  maxLength?: number;
}

/** The parts of an OpenAPI 3.1 document the fuzzer reads (the rest is reached through $ref). */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  [section: string]: unknown;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

export interface RouteStats {
  route: string;
  requests: number;
  ok: number;
  rejected: number;
  serverErrors: number;
  writesOnReject: number;
}

export interface Finding {
  kind: '5xx' | 'write on reject';
  route: string;
  variant: string;
  method: string;
  url: string;
  payload?: string;
  status: number;
  response: string;
  rowDelta?: number;
}

/** Operations listed in an OpenAPI 3.1 document. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
        public: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return out;
}

// ---------- a plausible value for a schema (the base the mutations start from) ----------

function resolve(schema: JsonSchema | undefined, doc: OpenApiDocument): JsonSchema {
  let s = schema ?? {};
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    const parts = s.$ref.replace(/^#\//, '').split('/');
    // A $ref names a schema of this document (#/components/schemas/…).
    s = (parts.reduce<unknown>((o, k) => prop(o, k), doc) ?? {}) as JsonSchema;
  }
  return s;
}

/** A value of the schema's shape (valid enough to get past the first checks, often fully valid). */
export function plausible(schema: JsonSchema | undefined, doc: OpenApiDocument, depth = 0): unknown {
  const s = resolve(schema, doc);
  if (depth > 6) return null;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('default' in s) return s.default;
  const alt = s.anyOf ?? s.oneOf;
  if (Array.isArray(alt) && alt.length) {
    const first = alt.find((a) => resolve(a, doc).type !== 'null') ?? alt[0];
    return plausible(first, doc, depth + 1);
  }
  if (Array.isArray(s.allOf) && s.allOf.length) return plausible(s.allOf[0], doc, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (Array.isArray(s.required) && s.required.includes(k)) o[k] = plausible(v, doc, depth + 1);
      }
      return o;
    }
    case 'array':
      return s.minItems ? [plausible(s.items, doc, depth + 1)] : [];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number'
        ? s.minimum
        : typeof s.exclusiveMinimum === 'number'
          ? s.exclusiveMinimum + 1
          : 1;
    case 'boolean':
      return true;
    case 'string':
      switch (s.format) {
        case 'date':
          return '2026-03-01';
        case 'date-time':
          return '2026-03-01T09:30:00+08:00';
        case 'email':
          return 'fuzz@example.com';
        case 'uuid':
          return '00000000-0000-4000-8000-000000000000';
        case 'uri':
          return 'https://example.com/';
        default:
          return 'fuzz'.padEnd(Math.max(4, s.minLength ?? 0), 'z').slice(0, s.maxLength ?? 100);
      }
    default:
      return 'fuzz';
  }
}

// ---------- hostile values ----------

/** JSON text put in place as it is (so very deep values never go through recursive code here). */
class RawJson {
  constructor(readonly text: string) {}
  toJSON() {
    return this;
  }
}

/** `levels` nested objects/arrays as JSON text. */
const deepNest = (levels: number): RawJson => {
  let open = '';
  let close = '';
  for (let i = 0; i < levels; i++) {
    open += i % 2 ? '[' : '{"a":';
    close = (i % 2 ? ']' : '}') + close;
  }
  return new RawJson(`${open}1${close}`);
};

/** JSON.stringify, with RawJson values spliced in as text. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text =
    JSON.stringify(value, (_k, v) => {
      if (v instanceof RawJson) {
        raws.push(v.text);
        return `\u0001RAW${raws.length - 1}\u0001`;
      }
      return v;
    }) ?? 'null';
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_all, n: string) => raws[Number(n)]);
}

const INJECTIONS = [
  "' OR '1'='1",
  "'); drop table accounts; --",
  '"; select pg_sleep(5); --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '=HYPERLINK("http://evil.example","x")',
  "+cmd|' /C calc'!A0",
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '${7*7}',
  '../../../../etc/passwd',
  '%00',
  '\\x00',
  '$where',
  '{"$gt": ""}',
  '*',
  '%',
  '_',
  '\\',
  'NULL',
  'undefined',
  'constructor',
  '__proto__',
];
const DATES = [
  '2026-02-30',
  '2026-02-29',
  '2026-13-01',
  '2026-00-10',
  '0000-00-00',
  '9999-12-31',
  '275760-09-13',
  '-000001-01-01',
  '2026-03-01T25:61:61Z',
  '2026-03-01T09:30:00+25:00',
  '2026-W10',
  '2026-Q5',
  '2026-Q0',
  '2026-13',
  '1e10',
  'yesterday',
  '',
];
const NUMBERS: unknown[] = [
  0,
  -0,
  -1,
  1.5,
  -1e-300,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  '1e309',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  '١٢٣',
];
const STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '\u202e\u202d',
  '客户😀𠀀',
  'e\u0301',
  '\r\n\t',
  'a'.repeat(300),
];

/** Any hostile JSON value: wrong types, null, edges, injections, dates, NUL, surrogates, depth, size. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.constantFrom(...DATES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string().map((s) => `${s}\u0000${s}`) },
  { weight: 1, arbitrary: fc.constantFrom(100_000, 1_000_000).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(33, 200, 5_000).map((n) => deepNest(n)) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(2_000, 20_000).map((n) => Array.from({ length: n }, (_, i) => i)) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      JSON.parse('{"__proto__":{"admin":true,"role":"admin"}}'),
      JSON.parse('{"constructor":{"prototype":{"admin":true}}}'),
      { toString: 'x', valueOf: 1, hasOwnProperty: null },
    ),
  },
);

/** Hostile text for a query parameter or a path id (already a string). */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...STRINGS, ...INJECTIONS, ...DATES),
  fc.constantFrom(...NUMBERS.map(String)),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '-__proto__', 'hasOwnProperty'),
  fc.constantFrom('x'.repeat(10_000), '9'.repeat(400)),
  fc.constantFrom('true', 'false', 'null', '[]', '{}', 'a,b,,c', ',,,'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  // cursors: garbage, base64 of junk, base64 of JSON with the wrong shape
  fc.constantFrom(
    'AAAA',
    '!!!!',
    Buffer.from('not json').toString('base64url'),
    Buffer.from('{"k":[1,2,3],"id":null}').toString('base64url'),
    Buffer.from('{"v":"__proto__","id":"\u0000"}').toString('base64url'),
    Buffer.from(JSON.stringify({ k: 'x'.repeat(5000) })).toString('base64url'),
    Buffer.from('[]').toString('base64'),
  ),
);

const BAD_IDS = [
  'not-a-uuid',
  '0',
  '-1',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '9'.repeat(40),
  "1' OR '1'='1",
  '%00',
  '%ED%A0%80',
  '__proto__',
  'constructor',
  '..%2F..%2Fetc%2Fpasswd',
  'x'.repeat(2000),
  '%E5%AE%A2%E6%88%B7',
  '12345678-1234-1234-1234-1234567890ab',
];

/** Percent-encodes text for a URL, keeping lone surrogates as the (invalid) UTF-8 they would be. */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[^A-Za-z0-9_.~-]/g, (c) => {
      const code = c.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff)
        return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
      return encodeURIComponent(c);
    });
  }
}

// ---------- variants ----------

type Mutation =
  | { kind: 'field'; field: string; value: unknown }
  | { kind: 'missing'; field: string }
  | { kind: 'extra'; field: string; value: unknown }
  | { kind: 'nested'; field: string; value: unknown }
  | { kind: 'body'; value: unknown }
  | { kind: 'raw'; text: string; contentType?: string }
  | { kind: 'query'; name: string; value: string }
  | { kind: 'queryRepeat'; name: string }
  | { kind: 'queryJunk'; raw: string }
  | { kind: 'id'; id: string }
  | { kind: 'anonymous' }
  | { kind: 'badToken'; token: string };

const RAW_BODIES = [
  '',
  '{',
  '{"a":',
  '[',
  'nul',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '\u0000',
  '"just a string"',
  '123',
  'true',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `{"a":"${'\\ud800'}"}`,
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
];

function mutationArb(op: Operation, bodyFields: string[]): fc.Arbitrary<Mutation> {
  const options: { weight: number; arbitrary: fc.Arbitrary<Mutation> }[] = [];
  const anyField = bodyFields.length ? fc.constantFrom(...bodyFields) : fc.constant('name');
  if (op.body) {
    options.push(
      {
        weight: 8,
        arbitrary: fc.record({ kind: fc.constant('field' as const), field: anyField, value: hostileValue }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('missing' as const), field: anyField }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('extra' as const),
          field: fc.constantFrom(
            '__proto__',
            'constructor',
            'id',
            'tenant_id',
            'created_at',
            'zz_extra',
            'a\u0000b',
            '\ud800',
          ),
          value: hostileValue,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('nested' as const), field: anyField, value: hostileValue }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('body' as const), value: hostileValue }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('raw' as const),
          text: fc.constantFrom(...RAW_BODIES),
          contentType: fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            'application/json; charset=latin1',
          ),
        }),
      },
    );
  } else if (op.method !== 'GET') {
    options.push({
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('raw' as const),
        text: fc.constantFrom(...RAW_BODIES),
        contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
      }),
    });
  }
  const names = op.query.map((q) => q.name);
  const anyName = fc.constantFrom(...(names.length ? names : ['limit', 'cursor', 'sort', 'q']));
  options.push(
    {
      weight: names.length ? 6 : 2,
      arbitrary: fc.record({ kind: fc.constant('query' as const), name: anyName, value: hostileText }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('queryRepeat' as const), name: anyName }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('queryJunk' as const),
        raw: fc.constantFrom(
          '__proto__=1',
          '__proto__[admin]=1',
          'constructor[prototype][admin]=1',
          'a[b][c]=1',
          '%00=%00',
          '%=%',
          '&&&',
          'limit',
          'limit=',
          `x=${'y'.repeat(50_000)}`,
          '%ED%A0%80=1',
          'sort=__proto__',
          'q=%00',
          'cursor=%00',
        ),
      }),
    },
  );
  if (op.pathParams.length)
    options.push({
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('id' as const), id: fc.constantFrom(...BAD_IDS) }),
    });
  options.push(
    { weight: 1, arbitrary: fc.constant({ kind: 'anonymous' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('badToken' as const),
        token: fc.constantFrom('zs_key_', 'zs_sess_\u00ff', 'x'.repeat(5000), 'zs_key_%00', '', '__proto__'),
      }),
    },
  );
  return fc.oneof(...options);
}

export interface FuzzContext {
  doc: OpenApiDocument;
  adminToken: string;
  /** A real id for a path, when one is known (so body checks past the 404 are reached). */
  realId(path: string): string | undefined;
  /** A valid body to start the mutations from, where the schema alone gives a poor one. */
  baseBody?(op: Operation): unknown;
}

/** The request variants of one operation: `count` mutations drawn with the given seed. */
export function variantsOf(op: Operation, ctx: FuzzContext, count: number, seed: number): FuzzRequest[] {
  const bodySchema = op.body ? resolve(op.body, ctx.doc) : undefined;
  const base = ctx.baseBody?.(op);
  const bodyFields = [
    ...new Set([
      ...(base && typeof base === 'object' && !Array.isArray(base) ? Object.keys(base) : []),
      ...Object.keys(resolve(bodySchema?.anyOf?.[0] ?? bodySchema, ctx.doc).properties ?? {}),
    ]),
  ];
  const mutations = fc.sample(mutationArb(op, bodyFields), { numRuns: count, seed });
  return mutations.map((m) => build(op, ctx, bodySchema, m));
}

function build(
  op: Operation,
  ctx: FuzzContext,
  bodySchema: JsonSchema | undefined,
  m: Mutation,
): FuzzRequest {
  const id = m.kind === 'id' ? m.id : (ctx.realId(op.path) ?? '00000000-0000-4000-8000-000000000001');
  let path = op.path;
  for (const p of op.pathParams) path = path.replace(`{${p}}`, m.kind === 'id' ? id : encode(id));
  const query: string[] = [];
  if (m.kind === 'query') query.push(`${encode(m.name)}=${encode(m.value)}`);
  if (m.kind === 'queryRepeat') query.push(`${m.name}=1`, `${m.name}=2`, `${m.name}=`);
  if (m.kind === 'queryJunk') query.push(m.raw);
  const url = query.length ? `${path}?${query.join('&')}` : path;

  const headers: Record<string, string> = {};
  if (m.kind === 'badToken') headers.authorization = `Bearer ${m.token}`;
  else if (m.kind !== 'anonymous') headers.authorization = `Bearer ${ctx.adminToken}`;

  let payload: string | undefined;
  const base = ctx.baseBody?.(op);
  let body: unknown =
    base !== undefined
      ? JSON.parse(JSON.stringify(base))
      : bodySchema
        ? plausible(bodySchema, ctx.doc)
        : undefined;
  switch (m.kind) {
    case 'field':
      body = withField(body, m.field, m.value);
      break;
    case 'missing':
      if (body && typeof body === 'object' && !Array.isArray(body))
        delete (body as Record<string, unknown>)[m.field];
      break;
    case 'extra':
      body = withField(body, m.field, m.value);
      break;
    case 'nested':
      body = withField(body, m.field, { inner: [m.value, { deeper: m.value }] });
      break;
    case 'body':
      body = m.value;
      break;
    case 'raw':
      payload = m.text;
      if (m.contentType) headers['content-type'] = m.contentType;
      body = undefined;
      break;
  }
  if (body !== undefined && payload === undefined) {
    payload = toJsonText(body);
    headers['content-type'] = 'application/json';
  }
  return { method: op.method, url, headers, payload, variant: describe(m) };
}

function withField(body: unknown, field: string, value: unknown): unknown {
  const base = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as object) } : {};
  // defineProperty, so "__proto__" becomes an own key that JSON.stringify sends.
  Object.defineProperty(base, field, { value, enumerable: true, configurable: true, writable: true });
  return base;
}

function describe(m: Mutation): string {
  const short = (v: unknown) => {
    const s = v instanceof RawJson ? v.text : toJsonText(v);
    return s.length > 60 ? `${s.slice(0, 57)}…(${s.length})` : s;
  };
  switch (m.kind) {
    case 'field':
    case 'extra':
    case 'nested':
      return `${m.kind} ${m.field}=${short(m.value)}`;
    case 'missing':
      return `missing ${m.field}`;
    case 'body':
      return `body=${short(m.value)}`;
    case 'raw':
      return `raw ${m.contentType ?? ''} ${short(m.text)}`;
    case 'query':
      return `query ${m.name}=${short(m.value)}`;
    case 'queryRepeat':
      return `query ${m.name} repeated`;
    case 'queryJunk':
      return `query ${short(m.raw)}`;
    case 'id':
      return `id ${short(m.id)}`;
    case 'anonymous':
      return 'no credentials';
    case 'badToken':
      return `bearer ${short(m.token)}`;
  }
}

/** Sends every variant; checks for 5xx and for rows written by rejected requests. */
export async function fuzz(
  target: FuzzTarget,
  ops: Operation[],
  ctx: FuzzContext,
  opts: { perRoute: number; seed: number; onRoute?: (s: RouteStats) => void },
): Promise<{ stats: RouteStats[]; findings: Finding[] }> {
  const stats: RouteStats[] = [];
  const findings: Finding[] = [];
  let rows = await target.countRows();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const route = `${op.method} ${op.path}`;
    const s: RouteStats = { route, requests: 0, ok: 0, rejected: 0, serverErrors: 0, writesOnReject: 0 };
    for (const req of variantsOf(op, ctx, opts.perRoute, opts.seed + i)) {
      const res = await target.send(req);
      s.requests++;
      const after = await target.countRows();
      if (res.statusCode >= 500) {
        s.serverErrors++;
        findings.push({
          kind: '5xx',
          route,
          variant: req.variant,
          method: req.method,
          url: req.url,
          payload: req.payload?.slice(0, 300),
          status: res.statusCode,
          response: res.body.slice(0, 500),
        });
      } else if (res.statusCode >= 400) {
        s.rejected++;
        if (after !== rows) {
          s.writesOnReject++;
          findings.push({
            kind: 'write on reject',
            route,
            variant: req.variant,
            method: req.method,
            url: req.url,
            payload: req.payload?.slice(0, 300),
            status: res.statusCode,
            response: res.body.slice(0, 500),
            rowDelta: after - rows,
          });
        }
      } else s.ok++;
      rows = after;
    }
    stats.push(s);
    opts.onRoute?.(s);
  }
  return { stats, findings };
}
