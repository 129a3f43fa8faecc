/**
 * A property of a value whose shape is not known (a thrown error, an event payload, parsed JSON):
 * undefined unless the value is an object. PostgreSQL's fields (code, constraint, detail) sit on
 * the driver's error, or on its `cause` when drizzle wraps it.
 */
export function prop(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}
