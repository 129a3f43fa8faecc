/**
 * Turns typed CSV columns into a numeric design matrix. Every statistic (medians, levels,
 * scaling, target means) is learned in fit() from the training rows only and then frozen, so the
 * test window never leaks into the features.
 *
 * Two modes:
 *  - 'linear' (logistic regression): median impute + missing indicator, one-hot of the top-K levels
 *    + "other", then every column standardised with train mean/std.
 *  - 'tree' (GBDT): numeric kept raw with NaN (the GBDT learns a missing direction), categorical as
 *    smoothed target encoding (out-of-fold on the train rows) plus level frequency.
 */
import type { ColumnType } from './column-types.js';
import { type CsvTable, isMissing, parseDateColumn, parseNumber } from './csv-table.js';
import { createRng } from './random.js';

export type EncoderMode = 'linear' | 'tree';

export interface EncodedMatrix {
  /** Feature names, e.g. "Lead Source=Google" or "TotalVisits:missing". */
  names: string[];
  /** The CSV column each feature came from, for grouping explanations by column. */
  sources: string[];
  /** Column-major values: cols[j][i] is feature j of row i. */
  cols: Float64Array[];
  nRows: number;
}

export interface FeatureEncoderOptions {
  mode: EncoderMode;
  /** Max one-hot levels per categorical column (most frequent first). */
  topK?: number;
  /** Levels seen fewer times than this in train fold into "other". */
  minLevelCount?: number;
  /** Pseudo-count pulling a level's target mean toward the prior. */
  smoothing?: number;
  /** Folds for out-of-fold target encoding of the train rows. */
  targetFolds?: number;
  textBuckets?: number;
  /** Linear mode: quantile step indicators per numeric column (0 = numeric columns stay linear). */
  numericBins?: number;
  seed?: number;
}

const MISSING_LEVEL = '(missing)';

/** One encoded feature block per source column. */
interface ColumnEncoder {
  names: string[];
  /** `oof` is set only when encoding the training rows themselves (target encoding). */
  encode(values: readonly string[], oof?: { y: readonly number[]; folds: Int32Array }): Float64Array[];
}

function level(v: string): string {
  return isMissing(v) ? MISSING_LEVEL : v;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Distinct train quantiles used as thresholds of the "thermometer" indicators x > t_k. With L2 the
 * linear model then fits a smooth-ish piecewise-constant curve on top of the linear term.
 */
export function quantileThresholds(values: readonly number[], bins: number): number[] {
  const s = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const out: number[] = [];
  if (s.length === 0 || bins < 2) return out;
  for (let k = 1; k < bins; k++) {
    const q = s[Math.min(s.length - 1, Math.floor((k * s.length) / bins))];
    // x > q must split the train rows: skip the maximum and repeated thresholds.
    if (q < s[s.length - 1] && (out.length === 0 || q > out[out.length - 1])) out.push(q);
  }
  return out;
}

function numericEncoder(
  name: string,
  train: readonly string[],
  mode: EncoderMode,
  bins: number,
): ColumnEncoder {
  const parsed = train.map((v) => (isMissing(v) ? Number.NaN : parseNumber(v)));
  const med = median(parsed.filter((x) => !Number.isNaN(x)));
  const hasMissing = parsed.some((x) => Number.isNaN(x));
  const thresholds = mode === 'linear' ? quantileThresholds(parsed, bins) : [];
  const names = [
    name,
    ...(mode === 'linear' && hasMissing ? [`${name}:missing`] : []),
    ...thresholds.map((t) => `${name}>${t}`),
  ];
  return {
    names,
    encode(values) {
      const x = new Float64Array(values.length);
      const miss = new Float64Array(values.length);
      const steps = thresholds.map(() => new Float64Array(values.length));
      values.forEach((v, i) => {
        const p = isMissing(v) ? Number.NaN : parseNumber(v);
        miss[i] = Number.isNaN(p) ? 1 : 0;
        x[i] = Number.isNaN(p) && mode === 'linear' ? med : p;
        // A missing value sits on no step: the missing indicator carries it.
        if (!Number.isNaN(p))
          for (let k = 0; k < thresholds.length; k++) steps[k][i] = p > thresholds[k] ? 1 : 0;
      });
      return [x, ...(mode === 'linear' && hasMissing ? [miss] : []), ...steps];
    },
  };
}

function levelCounts(train: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of train) counts.set(level(v), (counts.get(level(v)) ?? 0) + 1);
  return counts;
}

function oneHotEncoder(
  name: string,
  train: readonly string[],
  topK: number,
  minCount: number,
): ColumnEncoder {
  const counts = levelCounts(train);
  const levels = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, topK)
    .map(([l]) => l);
  const index = new Map(levels.map((l, k) => [l, k]));
  const hasOther = [...counts.keys()].some((l) => !index.has(l));
  // One level is redundant with the intercept only without regularisation; with L2 keeping all is fine.
  const names = [...levels.map((l) => `${name}=${l}`), ...(hasOther ? [`${name}=other`] : [])];
  return {
    names,
    encode(values) {
      const cols = names.map(() => new Float64Array(values.length));
      values.forEach((v, i) => {
        const k = index.get(level(v));
        if (k !== undefined) cols[k][i] = 1;
        else if (hasOther) cols[levels.length][i] = 1;
      });
      return cols;
    },
  };
}

function targetEncoder(
  name: string,
  train: readonly string[],
  y: readonly number[],
  smoothing: number,
  folds: number,
): ColumnEncoder {
  const prior = y.reduce((s, v) => s + v, 0) / Math.max(1, y.length);
  const stats = (vals: readonly string[], ys: readonly number[], keep: (i: number) => boolean) => {
    const m = new Map<string, { n: number; s: number }>();
    vals.forEach((v, i) => {
      if (!keep(i)) return;
      const e = m.get(level(v)) ?? { n: 0, s: 0 };
      e.n++;
      e.s += ys[i];
      m.set(level(v), e);
    });
    return m;
  };
  const smoothMean = (e: { n: number; s: number } | undefined, p: number) =>
    e ? (e.s + smoothing * p) / (e.n + smoothing) : p;
  const full = stats(train, y, () => true);
  const counts = levelCounts(train);
  const total = train.length;
  return {
    names: [`${name}:target_mean`, `${name}:frequency`],
    encode(values, oof) {
      const te = new Float64Array(values.length);
      const freq = new Float64Array(values.length);
      values.forEach((v, i) => {
        freq[i] = (counts.get(level(v)) ?? 0) / total;
      });
      if (oof) {
        // Each train row gets the level mean computed without its own fold, so the GBDT cannot
        // memorise its own label through the encoding.
        for (let f = 0; f < folds; f++) {
          const st = stats(values, oof.y, (i) => oof.folds[i] !== f);
          values.forEach((v, i) => {
            if (oof.folds[i] === f) te[i] = smoothMean(st.get(level(v)), prior);
          });
        }
      } else {
        values.forEach((v, i) => {
          te[i] = smoothMean(full.get(level(v)), prior);
        });
      }
      return [te, freq];
    },
  };
}

function dateEncoder(name: string): ColumnEncoder {
  return {
    names: [`${name}:month`, `${name}:weekday`, `${name}:day_of_year`],
    encode(values) {
      const t = parseDateColumn(values);
      const month = new Float64Array(values.length);
      const weekday = new Float64Array(values.length);
      const doy = new Float64Array(values.length);
      t.forEach((ms, i) => {
        if (Number.isNaN(ms)) {
          month[i] = weekday[i] = doy[i] = Number.NaN;
          return;
        }
        const d = new Date(ms);
        month[i] = d.getUTCMonth() + 1;
        weekday[i] = d.getUTCDay();
        doy[i] = Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
      });
      return [month, weekday, doy];
    },
  };
}

/** FNV-1a, for the hashed bag of words. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function textEncoder(name: string, buckets: number): ColumnEncoder {
  return {
    names: [
      `${name}:tokens`,
      `${name}:chars`,
      ...Array.from({ length: buckets }, (_, b) => `${name}:hash${b}`),
    ],
    encode(values) {
      const cols = Array.from({ length: buckets + 2 }, () => new Float64Array(values.length));
      values.forEach((v, i) => {
        const tokens = isMissing(v) ? [] : (v.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
        cols[0][i] = tokens.length;
        cols[1][i] = isMissing(v) ? 0 : v.length;
        for (const tok of tokens) cols[2 + (hash(tok) % buckets)][i]++;
      });
      return cols;
    },
  };
}

/**
 * Trees also get one-hot dummies of the few most common levels: a dummy isolates one level in a
 * single split, while the target mean is noisy (out-of-fold) and mixes levels with similar rates.
 */
const TREE_ONE_HOT_K = 8;

function combine(...parts: ColumnEncoder[]): ColumnEncoder {
  return {
    names: parts.flatMap((p) => p.names),
    encode: (values, oof) => parts.flatMap((p) => p.encode(values, oof)),
  };
}

export class FeatureEncoder {
  private readonly opts: Required<FeatureEncoderOptions>;
  private encoders: { column: ColumnType; enc: ColumnEncoder }[] = [];
  private means: Float64Array = new Float64Array(0);
  private scales: Float64Array = new Float64Array(0);
  private trainFolds: Int32Array | null = null;
  private trainY: readonly number[] | null = null;

  constructor(
    private readonly columns: readonly ColumnType[],
    options: FeatureEncoderOptions,
  ) {
    this.opts = {
      topK: 30,
      minLevelCount: 5,
      smoothing: 20,
      targetFolds: 5,
      textBuckets: 8,
      numericBins: 0,
      seed: 7,
      ...options,
    };
  }

  /** Learns all statistics from `rows` (indices into table.rows) and returns their encoding. */
  fitTransform(table: CsvTable, rows: readonly number[], y: readonly number[]): EncodedMatrix {
    const { mode, topK, minLevelCount, smoothing, targetFolds, textBuckets, numericBins } = this.opts;
    const rng = createRng(this.opts.seed);
    this.trainFolds = Int32Array.from(rows, () => Math.floor(rng() * targetFolds));
    this.trainY = y;
    this.encoders = [];
    for (const column of this.columns) {
      const vals = rows.map((i) => table.rows[i][column.index]);
      let enc: ColumnEncoder | null = null;
      if (column.kind === 'numeric') enc = numericEncoder(column.name, vals, mode, numericBins);
      else if (column.kind === 'categorical')
        enc =
          mode === 'linear'
            ? oneHotEncoder(column.name, vals, topK, minLevelCount)
            : combine(
                targetEncoder(column.name, vals, y, smoothing, targetFolds),
                oneHotEncoder(column.name, vals, TREE_ONE_HOT_K, minLevelCount),
              );
      else if (column.kind === 'date') enc = dateEncoder(column.name);
      else if (column.kind === 'text') enc = textEncoder(column.name, textBuckets);
      if (enc) this.encoders.push({ column, enc });
    }
    const raw = this.encodeRaw(table, rows, true);
    const p = raw.cols.length;
    this.means = new Float64Array(p);
    this.scales = new Float64Array(p).fill(1);
    if (mode === 'linear') {
      raw.cols.forEach((c, j) => {
        let s = 0;
        let n = 0;
        for (const v of c) {
          if (Number.isNaN(v)) continue;
          s += v;
          n++;
        }
        const mean = n ? s / n : 0;
        let ss = 0;
        for (const v of c) if (!Number.isNaN(v)) ss += (v - mean) ** 2;
        this.means[j] = mean;
        this.scales[j] = n > 1 && ss > 0 ? Math.sqrt(ss / (n - 1)) : 1;
      });
    }
    return this.scale(raw);
  }

  /** Encodes new rows with the frozen train statistics. */
  transform(table: CsvTable, rows: readonly number[]): EncodedMatrix {
    if (!this.trainFolds) throw new Error('FeatureEncoder.transform called before fitTransform');
    return this.scale(this.encodeRaw(table, rows, false));
  }

  get featureNames(): string[] {
    return this.encoders.flatMap(({ enc }) => enc.names);
  }

  private encodeRaw(table: CsvTable, rows: readonly number[], isTrain: boolean): EncodedMatrix {
    const names: string[] = [];
    const sources: string[] = [];
    const cols: Float64Array[] = [];
    const oof = isTrain ? { y: this.trainY!, folds: this.trainFolds! } : undefined;
    for (const { column, enc } of this.encoders) {
      const vals = rows.map((i) => table.rows[i][column.index]);
      const block = enc.encode(vals, oof);
      block.forEach((c, k) => {
        cols.push(c);
        names.push(enc.names[k]);
        sources.push(column.name);
      });
    }
    return { names, sources, cols, nRows: rows.length };
  }

  private scale(m: EncodedMatrix): EncodedMatrix {
    if (this.opts.mode !== 'linear') return m;
    m.cols.forEach((c, j) => {
      // Date parts can be NaN for a missing date; a standardised 0 is the mean, the neutral value.
      for (let i = 0; i < c.length; i++)
        c[i] = Number.isNaN(c[i]) ? 0 : (c[i] - this.means[j]) / this.scales[j];
    });
    return m;
  }
}
