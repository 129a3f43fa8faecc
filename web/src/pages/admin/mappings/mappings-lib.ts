/** Admin → Mappings: API types, query keys and the pure helpers of the editor (tested in mappings.test.tsx). */
import type { ApiBody, ApiResponse, ApiRow } from '../../../lib/api-types';

export type Mapping = ApiRow<'/mappings'>;
export type Target = Mapping['target'];
export type TargetInfo = ApiRow<'/mappings/targets'>;
export type TargetField = TargetInfo['fields'][number];
export type Preview = ApiResponse<'/mappings/preview', 'post'>;
export type PreviewBody = ApiBody<'/mappings/preview', 'post'>;
export type MappingError = Preview['errors'][number];
export type Version = ApiRow<'/mappings/{id}/versions'>;
export type Run = ApiRow<'/mappings/{id}/runs'>;
export type TestRun = ApiResponse<'/mappings/{id}/test-run', 'post'>;

export const mappingKeys = {
  all: ['mappings'] as const,
  list: ['mappings', 'list'] as const,
  targets: ['mappings', 'targets'] as const,
  one: (id: string) => ['mappings', 'one', id] as const,
  versions: (id: string) => ['mappings', 'versions', id] as const,
  runs: (id: string) => ['mappings', 'runs', id] as const,
  sources: ['mappings', 'sources'] as const,
};

/** The sample text as JSON: the value, or the parse error's message (null for an empty text). */
export function parseSample(text: string): { value: unknown; error: string | null } {
  if (!text.trim()) return { value: null, error: null };
  try {
    return { value: JSON.parse(text), error: null };
  } catch (e) {
    return { value: undefined, error: e instanceof Error ? e.message : String(e) };
  }
}

/** One node of the sample's path tree. */
export interface PathNode {
  key: string;
  /** The jsonata path that reaches it (`visitor.company.name`; arrays are walked without an index). */
  path: string;
  kind: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  /** A short look at the value (leaves). */
  preview?: string;
  children: PathNode[];
}

const SIMPLE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A key as a jsonata path step: plain names as they are, anything else in backticks. */
export function pathStep(key: string): string {
  return SIMPLE_NAME.test(key) ? key : `\`${key.replaceAll('`', '')}\``;
}

const kindOf = (v: unknown): PathNode['kind'] =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'object'
        ? 'object'
        : typeof v === 'number'
          ? 'number'
          : typeof v === 'boolean'
            ? 'boolean'
            : 'string';

/**
 * The tree of a sample's paths. Arrays are walked through their items (jsonata maps a path over an
 * array by itself), the keys of all items merged; depth and breadth are capped for huge samples.
 */
export function samplePaths(value: unknown, prefix = '', depth = 0): PathNode[] {
  if (depth > 8) return [];
  const obj = mergedObject(value);
  if (!obj) return [];
  return Object.keys(obj)
    .slice(0, 200)
    .map((key) => {
      const v = obj[key];
      const path = prefix ? `${prefix}.${pathStep(key)}` : pathStep(key);
      const kind = kindOf(v);
      const children = kind === 'object' || kind === 'array' ? samplePaths(v, path, depth + 1) : [];
      const preview =
        kind === 'array'
          ? `[${(v as unknown[]).length}]`
          : kind === 'object'
            ? undefined
            : JSON.stringify(v).slice(0, 60);
      return { key, path, kind, preview, children };
    });
}

/** The object whose keys a level shows: the object itself, or the items of an array merged. */
function mergedObject(value: unknown): Record<string, unknown> | null {
  if (Array.isArray(value)) {
    const merged: Record<string, unknown> = {};
    for (const item of value.slice(0, 50)) {
      const o = mergedObject(item);
      if (o) for (const [k, v] of Object.entries(o)) if (!(k in merged)) merged[k] = v;
    }
    return Object.keys(merged).length ? merged : null;
  }
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
}

/** Every path of the tree (leaves and branches), for the trigger's field list. */
export function flatPaths(nodes: PathNode[]): PathNode[] {
  return nodes.flatMap((n) => [n, ...flatPaths(n.children)]);
}

/** The JsonLogic `var` of a jsonata path (backticks dropped: JsonLogic paths are dot-separated keys). */
export const varOf = (path: string) => path.replaceAll('`', '');

/** Puts `path` into an expression at the caret (replacing a selection); returns the text and the new caret. */
export function insertPath(
  expression: string,
  path: string,
  caret: { start: number; end: number } | null,
): { text: string; caret: number } {
  if (!caret) {
    const text = expression.trim() ? `${expression}${/\s$/.test(expression) ? '' : ' '}${path}` : path;
    return { text, caret: text.length };
  }
  const start = Math.max(0, Math.min(caret.start, expression.length));
  const end = Math.max(start, Math.min(caret.end, expression.length));
  const text = expression.slice(0, start) + path + expression.slice(end);
  return { text, caret: start + path.length };
}

/** The errors of one field (a field's errors also count `payload.x` under an open `payload`). */
export function errorsAt(errors: readonly MappingError[], field: string): MappingError[] {
  return errors.filter((e) => e.field === field);
}

/** Errors no field input shows (subject group, record, fields the editor does not list). */
export function otherErrors(errors: readonly MappingError[], shown: readonly string[]): MappingError[] {
  const set = new Set(shown);
  return errors.filter((e) => !set.has(e.field) && e.field !== 'trigger');
}

/** A preview value as one line. */
export function showValue(v: unknown): string {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

/** The fields of the draft the editor sends: empty expressions dropped. */
export function cleanFields(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ''));
}
