/**
 * Intervention-rule conditions: JsonLogic on the server, a react-querybuilder query in the editor.
 * The server writes variables as {var: [path, default]}; the query builder only knows {var: path},
 * so defaults are taken off when parsing and put back (remembered ones first) when exporting.
 */
import type { Field, RuleGroupType } from 'react-querybuilder';
import { formatQuery } from 'react-querybuilder/formatQuery';
import { parseJsonLogic } from 'react-querybuilder/parseJsonLogic';

export type JsonLogic = Record<string, unknown>;
export type VarDefaults = Map<string, unknown>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Replaces {var: [path, default]} by {var: path}; collects the defaults. */
export function stripVarDefaults(node: unknown, defaults: VarDefaults = new Map()): unknown {
  if (Array.isArray(node)) return node.map((n) => stripVarDefaults(n, defaults));
  if (!isObj(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'var') {
    const v = node.var;
    if (Array.isArray(v)) {
      const path = String(v[0] ?? '');
      if (v.length > 1) defaults.set(path, v[1]);
      return { var: path };
    }
    return { var: v };
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = stripVarDefaults(node[k], defaults);
  return out;
}

/** Default for a variable the rule did not have before: counters and rates are 0, payload values null. */
export function defaultFor(path: string): unknown {
  return /^(count|rate|baseline|max_strength)\./.test(path) ? 0 : null;
}

/** Puts defaults back on every {var: path}. */
export function addVarDefaults(node: unknown, defaults: VarDefaults = new Map()): unknown {
  if (Array.isArray(node)) return node.map((n) => addVarDefaults(n, defaults));
  if (!isObj(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'var' && typeof node.var === 'string') {
    const path = node.var;
    return { var: [path, defaults.has(path) ? defaults.get(path) : defaultFor(path)] };
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = addVarDefaults(node[k], defaults);
  return out;
}

/** A group with one child is the child itself (the server's own rules are written that way). */
export function unwrapSingle(node: unknown): unknown {
  if (!isObj(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
    const kids = node[keys[0]];
    if (Array.isArray(kids) && kids.length === 1) return unwrapSingle(kids[0]);
  }
  return node;
}

export interface ParsedCondition {
  query: RuleGroupType;
  defaults: VarDefaults;
}

export function conditionToQuery(condition: unknown): ParsedCondition {
  const defaults: VarDefaults = new Map();
  const stripped = stripVarDefaults(condition ?? {}, defaults);
  const query = parseJsonLogic(stripped as never) as RuleGroupType;
  return { query, defaults };
}

export function queryToCondition(query: RuleGroupType, defaults: VarDefaults = new Map()): JsonLogic | null {
  const logic = formatQuery(query, { format: 'jsonlogic', parseNumbers: true });
  if (!logic || (isObj(logic) && Object.keys(logic).length === 0)) return null;
  return addVarDefaults(unwrapSingle(logic), defaults) as JsonLogic;
}

/** Variables the rule engine fuses per signal type, plus the payload fields of its latest signal. */
export interface SignalTypeLike {
  key: string;
  name: string;
  name_en: string | null;
  payload_schema?: unknown;
}

export function ruleFields(
  types: SignalTypeLike[],
  selected: string[],
  lang: 'zh-CN' | 'en',
  labels: Record<string, string>,
): Field[] {
  const fields: Field[] = [];
  for (const key of selected) {
    const type = types.find((t) => t.key === key);
    const name = type ? (lang === 'en' && type.name_en ? type.name_en : type.name) : key;
    for (const m of ['count', 'rate', 'baseline', 'max_strength'] as const) {
      fields.push({ name: `${m}.${key}`, label: `${name} · ${labels[m] ?? m}`, inputType: 'number' });
    }
    const props =
      isObj(type?.payload_schema) && isObj(type.payload_schema.properties)
        ? type.payload_schema.properties
        : {};
    for (const [prop, schema] of Object.entries(props)) {
      const s = isObj(schema) ? schema : {};
      const ty = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
      const f: Field = {
        name: `latest.${key}.${prop}`,
        label: `${name} · ${labels.latest ?? 'latest'} ${prop}`,
      };
      if (ty === 'number' || ty === 'integer') f.inputType = 'number';
      else if (ty === 'boolean') {
        f.valueEditorType = 'checkbox';
        f.defaultValue = true;
      } else if (Array.isArray(s.enum)) {
        f.valueEditorType = 'select';
        f.values = s.enum.map((v) => ({ name: String(v), label: String(v) }));
      }
      fields.push(f);
    }
  }
  return fields;
}

/** Fields a condition refers to (so an edited rule keeps fields of types no longer selected visible). */
export function fieldsInQuery(q: RuleGroupType): string[] {
  const out = new Set<string>();
  const walk = (g: RuleGroupType) => {
    for (const r of g.rules) {
      if (typeof r === 'string') continue;
      if ('rules' in r) walk(r as RuleGroupType);
      else out.add(r.field);
    }
  };
  walk(q);
  return [...out];
}
