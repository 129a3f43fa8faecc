import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { FilterDef, ResourceDef } from './resource.js';

/**
 * One field of a resource, defined once: how clients write it, how responses document it, whether
 * its provenance is tracked, and how lists sort and filter by it. A module lists its fields in
 * API order; the resource definition, the request and response schemas and the documented list
 * filters are all derived from that one list (`resourceLists`, `inputSchemaOf`, `outputSchemaOf`,
 * `filterSchemaOf`), so a field is never named in two hand-kept lists.
 */
export interface FieldSpec {
  /** How a POST body parses the field (a PATCH: the same, every field optional). Absent: read-only. */
  input?: z.ZodType;
  /** How responses document the field. Absent: not in responses beyond the base columns. */
  output?: z.ZodType;
  /** Change log and /:id/lineage track it. Default: when clients can write it. */
  tracked?: boolean;
  /** Lists sort by the field's key through this column (a name through its pinyin key, say). */
  sort?: PgColumn;
  /** The list filters (query key → filter) the field brings; their keys need not be the field's. */
  filters?: Record<string, FilterDef>;
}

export type FieldSpecs = Record<string, FieldSpec>;

/** The keys of `F` whose spec has a `P` of type `T`. */
type KeysWith<F extends FieldSpecs, P extends keyof FieldSpec> = {
  [K in keyof F]: F[K][P] extends z.ZodType ? K : never;
}[keyof F];

/** The zod shape of the fields' `P` schemas (`input` or `output`). */
export type ShapeOf<F extends FieldSpecs, P extends 'input' | 'output'> = {
  [K in KeysWith<F, P> & string]: F[K][P] extends z.ZodType ? F[K][P] : never;
};

function shapeOf<F extends FieldSpecs, P extends 'input' | 'output'>(specs: F, which: P): ShapeOf<F, P> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const schema = spec[which];
    if (schema) shape[key] = schema;
  }
  // Built from exactly the keys ShapeOf<F, P> names, with their schemas.
  return shape as ShapeOf<F, P>;
}

/** The POST body: every field with an input schema, in field order. */
export function inputSchemaOf<F extends FieldSpecs>(specs: F): z.ZodObject<ShapeOf<F, 'input'>> {
  return z.object(shapeOf(specs, 'input'));
}

/** The response record: the base columns (id, timestamps …), then every field with an output schema. */
export function outputSchemaOf<F extends FieldSpecs, B extends z.ZodRawShape>(
  specs: F,
  base: B,
): z.ZodObject<B & ShapeOf<F, 'output'>> {
  return z.object({ ...base, ...shapeOf(specs, 'output') });
}

/** The resource definition's field, sort and filter lists. */
export function resourceLists(specs: FieldSpecs): Pick<ResourceDef, 'fields' | 'sortable' | 'filters'> {
  const fields: string[] = [];
  const sortable: Record<string, PgColumn> = {};
  const filters: Record<string, FilterDef> = {};
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.tracked ?? spec.input !== undefined) fields.push(key);
    if (spec.sort) sortable[key] = spec.sort;
    Object.assign(filters, spec.filters);
  }
  return { fields, sortable, filters };
}

/**
 * The documented query parameters of a list's filters. Every filter arrives as text (the
 * service parses it with the filter's own schema, so a bad value is a 400 naming the filter).
 */
export function filterSchemaOf(filters: Record<string, FilterDef>): z.ZodObject {
  const shape: Record<string, z.ZodOptional<z.ZodString>> = {};
  for (const [key, f] of Object.entries(filters)) {
    const param = z.string().optional();
    shape[key] = f.description ? param.describe(f.description) : param;
  }
  return z.object(shape);
}
