/**
 * Explanations in log-odds units. Per-row contributions come from the model (LR: coefficient ×
 * standardised value; GBDT: path attribution); encoded features are summed back to the CSV column
 * they came from, because users think in columns ("Lead Source"), not one-hot dummies.
 */

export interface FeatureContribution {
  feature: string;
  contribution: number;
}

export interface ColumnImportance {
  column: string;
  /** Share of the total mean |contribution| (sums to 1 over columns). */
  importance: number;
}

/** Sums a per-encoded-feature vector into per-source-column totals. */
export function groupBySource(values: ArrayLike<number>, sources: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  sources.forEach((s, j) => out.set(s, (out.get(s) ?? 0) + values[j]));
  return out;
}

/** Largest |contribution| first, per source column. */
export function topFactors(
  contributions: ArrayLike<number>,
  sources: readonly string[],
  k = 5,
): FeatureContribution[] {
  return [...groupBySource(contributions, sources).entries()]
    .map(([feature, contribution]) => ({ feature, contribution }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, k);
}

/**
 * Global importance = mean over rows of |row's contribution of the column|, normalised to shares.
 * Taking |·| after grouping means a column whose dummies cancel out for a row counts as neutral.
 */
export function globalImportance(
  rowContributions: readonly ArrayLike<number>[],
  sources: readonly string[],
  k = 10,
): ColumnImportance[] {
  const totals = new Map<string, number>();
  for (const row of rowContributions)
    for (const [col, v] of groupBySource(row, sources)) totals.set(col, (totals.get(col) ?? 0) + Math.abs(v));
  const sum = [...totals.values()].reduce((a, b) => a + b, 0) || 1;
  return [...totals.entries()]
    .map(([column, t]) => ({ column, importance: t / sum }))
    .sort((a, b) => b.importance - a.importance)
    .slice(0, k);
}
