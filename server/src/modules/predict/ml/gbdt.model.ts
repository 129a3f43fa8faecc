/**
 * Histogram gradient-boosted decision trees for binary classification (log-loss), in the style of
 * LightGBM: features are quantile-binned once into ≤255 bins (bin 0 = missing), trees grow
 * leaf-wise (best gain first) up to maxLeaves/maxDepth, and the larger child's histogram is the
 * parent's minus the smaller child's, so each level costs one pass over the smaller half.
 * Missing values get a learned direction per split. Deterministic given `seed`.
 */

import { sigmoid } from './logistic-regression.model.js';
import { logLoss } from './metrics.js';
import { createRng } from './random.js';

export interface GbdtOptions {
  /** Upper bound on boosting rounds; early stopping usually ends sooner. */
  nEstimators?: number;
  learningRate?: number;
  maxDepth?: number;
  maxLeaves?: number;
  minSamplesLeaf?: number;
  /** L2 penalty on leaf values (λ in −G/(H+λ)). */
  l2?: number;
  /** Row fraction sampled (without replacement) for each tree. */
  subsample?: number;
  /** Feature fraction sampled for each tree (at least one feature is always kept). */
  colsample?: number;
  /** Rounds without validation improvement before stopping. */
  earlyStoppingRounds?: number;
  /** Time-ordered tail of the training rows held out for early stopping when no `valid` is given. */
  validationFraction?: number;
  maxBins?: number;
  seed?: number;
}

export interface FitData {
  cols: readonly Float64Array[];
  y: ArrayLike<number>;
}

interface Tree {
  feature: Int32Array; // −1 for a leaf
  bin: Int32Array; // go left when 1 ≤ bin ≤ threshold
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Shrunk Newton value of every node (leaf output for leaves; used for path attributions). */
  value: Float64Array;
  gain: Float64Array;
}

interface NodeWork {
  id: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  G: number;
  H: number;
  best: { gain: number; feature: number; bin: number; missingLeft: boolean } | null;
}

const DEFAULTS: Required<GbdtOptions> = {
  nEstimators: 500,
  learningRate: 0.05,
  maxDepth: 6,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  l2: 1,
  subsample: 0.8,
  colsample: 1,
  earlyStoppingRounds: 40,
  validationFraction: 0.15,
  maxBins: 255,
  seed: 42,
};

/** Upper bin edges from training values: midpoints between distinct values, or quantiles if many. */
function binEdges(values: Float64Array, maxBins: number): Float64Array {
  const present = Array.from(values).filter((v) => !Number.isNaN(v));
  present.sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const v of present) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  const usable = maxBins - 1; // bin 0 is reserved for missing
  if (distinct.length <= usable) {
    return Float64Array.from(distinct.slice(0, -1), (v, k) => (v + distinct[k + 1]) / 2);
  }
  const edges: number[] = [];
  for (let k = 1; k < usable; k++) {
    const q = present[Math.floor((k * present.length) / usable)];
    if (edges.length === 0 || q > edges[edges.length - 1]) edges.push(q);
  }
  return Float64Array.from(edges);
}

function binColumn(values: Float64Array, edges: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    // First edge ≥ v gives the bin; values above every edge land in the last bin.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo + 1;
  }
  return out;
}

export class GradientBoostedTrees {
  readonly options: Required<GbdtOptions>;
  trees: Tree[] = [];
  baseScore = 0;
  edges: Float64Array[] = [];
  /** Validation log-loss after each round (empty without validation data). */
  validationCurve: number[] = [];
  bestIteration = 0;
  /** Histogram layout: feature f owns bins offsets[f] .. offsets[f+1]−1 (its own bin count). */
  private offsets: Int32Array = new Int32Array(1);
  /** Features usable by the tree being grown (colsample). */
  private featureMask: Uint8Array = new Uint8Array(0);

  constructor(options: GbdtOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  fit(train: FitData, valid?: FitData): this {
    let tr = train;
    let va = valid;
    if (!va && this.options.validationFraction > 0) {
      const n = train.y.length;
      const cut = Math.floor(n * (1 - this.options.validationFraction));
      const slice = (d: FitData, a: number, b: number): FitData => ({
        cols: d.cols.map((c) => c.subarray(a, b)),
        y: Array.prototype.slice.call(d.y, a, b) as number[],
      });
      tr = slice(train, 0, cut);
      va = slice(train, cut, n);
    }
    this.boost(tr, va);
    return this;
  }

  private boost(train: FitData, valid: FitData | undefined): void {
    const o = this.options;
    const n = train.y.length;
    const F = train.cols.length;
    const B = o.maxBins;
    const rng = createRng(o.seed);
    this.edges = train.cols.map((c) => binEdges(c, B));
    const bins = train.cols.map((c, f) => binColumn(c, this.edges[f]));
    const validBins = valid ? valid.cols.map((c, f) => binColumn(c, this.edges[f])) : null;
    this.offsets = new Int32Array(F + 1);
    for (let f = 0; f < F; f++) this.offsets[f + 1] = this.offsets[f] + this.edges[f].length + 2;
    this.featureMask = new Uint8Array(F).fill(1);

    let pos = 0;
    for (let i = 0; i < n; i++) pos += train.y[i];
    const prior = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
    this.baseScore = Math.log(prior / (1 - prior));
    const score = new Float64Array(n).fill(this.baseScore);
    const vScore = valid ? new Float64Array(valid.y.length).fill(this.baseScore) : null;
    const vProb = valid ? new Float64Array(valid.y.length) : null;
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    const idx = new Uint32Array(n);
    this.trees = [];
    this.validationCurve = [];
    let best = Number.POSITIVE_INFINITY;
    let bestIter = 0;

    for (let t = 0; t < o.nEstimators; t++) {
      for (let i = 0; i < n; i++) {
        const p = sigmoid(score[i]);
        g[i] = p - train.y[i];
        h[i] = Math.max(p * (1 - p), 1e-12);
      }
      let m = 0;
      for (let i = 0; i < n; i++) if (o.subsample >= 1 || rng() < o.subsample) idx[m++] = i;
      if (o.colsample < 1 && F > 1) {
        let kept = 0;
        for (let f = 0; f < F; f++) {
          this.featureMask[f] = rng() < o.colsample ? 1 : 0;
          kept += this.featureMask[f];
        }
        if (kept === 0) this.featureMask[Math.floor(rng() * F)] = 1;
      }
      const tree = this.growTree(bins, g, h, idx, m, F);
      this.trees.push(tree);
      for (let i = 0; i < n; i++) score[i] += tree.value[leafOf(tree, bins, i)];
      if (valid && vScore && vProb && validBins) {
        for (let i = 0; i < vScore.length; i++) {
          vScore[i] += tree.value[leafOf(tree, validBins, i)];
          vProb[i] = sigmoid(vScore[i]);
        }
        const loss = logLoss(valid.y, vProb);
        this.validationCurve.push(loss);
        if (loss < best - 1e-9) {
          best = loss;
          bestIter = t + 1;
        } else if (t + 1 - bestIter >= o.earlyStoppingRounds) break;
      }
    }
    this.bestIteration = valid ? Math.max(1, bestIter) : this.trees.length;
    this.trees.length = this.bestIteration;
  }

  private buildHist(
    bins: readonly Uint8Array[],
    g: Float64Array,
    h: Float64Array,
    idx: Uint32Array,
    start: number,
    end: number,
  ): Float64Array {
    const off = this.offsets;
    const hist = new Float64Array(off[bins.length] * 3);
    for (let f = 0; f < bins.length; f++) {
      const col = bins[f];
      const base = off[f] * 3;
      for (let k = start; k < end; k++) {
        const i = idx[k];
        const o = base + col[i] * 3;
        hist[o] += g[i];
        hist[o + 1] += h[i];
        hist[o + 2] += 1;
      }
    }
    return hist;
  }

  private findSplit(node: NodeWork, F: number): NodeWork['best'] {
    const { l2, minSamplesLeaf } = this.options;
    const { hist, G, H } = node;
    const N = node.end - node.start;
    const parentScore = (G * G) / (H + l2);
    let best: NodeWork['best'] = null;
    const off = this.offsets;
    for (let f = 0; f < F; f++) {
      if (!this.featureMask[f]) continue;
      const base = off[f] * 3;
      const nb = off[f + 1] - off[f];
      const gm = hist[base];
      const hm = hist[base + 1];
      const nm = hist[base + 2];
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 1; b < nb; b++) {
        const o = base + b * 3;
        gl += hist[o];
        hl += hist[o + 1];
        nl += hist[o + 2];
        if (hist[o + 2] === 0) continue; // same partition as the previous threshold
        for (let ml = 0; ml < 2; ml++) {
          const GL = ml ? gl + gm : gl;
          const HL = ml ? hl + hm : hl;
          const NL = ml ? nl + nm : nl;
          const NR = N - NL;
          if (NL < minSamplesLeaf || NR < minSamplesLeaf) continue;
          const GR = G - GL;
          const HR = H - HL;
          const gain = (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2) - parentScore;
          if (gain > 1e-12 && (!best || gain > best.gain))
            best = { gain, feature: f, bin: b, missingLeft: ml === 1 };
          if (nm === 0) break; // without missing values both directions are the same split
        }
      }
    }
    return best;
  }

  private growTree(
    bins: readonly Uint8Array[],
    g: Float64Array,
    h: Float64Array,
    idx: Uint32Array,
    m: number,
    F: number,
  ): Tree {
    const o = this.options;
    const feature: number[] = [];
    const bin: number[] = [];
    const missingLeft: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const value: number[] = [];
    const gain: number[] = [];
    const newNode = (G: number, H: number) => {
      feature.push(-1);
      bin.push(0);
      missingLeft.push(0);
      left.push(-1);
      right.push(-1);
      value.push((-G / (H + o.l2)) * o.learningRate);
      gain.push(0);
      return value.length - 1;
    };
    const sums = (hist: Float64Array) => {
      // Every row falls in exactly one bin of feature 0, so its bins sum to the node totals.
      let G = 0;
      let H = 0;
      const nb0 = this.offsets[1];
      for (let b = 0; b < nb0; b++) {
        G += hist[b * 3];
        H += hist[b * 3 + 1];
      }
      return { G, H };
    };
    const rootHist = this.buildHist(bins, g, h, idx, 0, m);
    const rs = sums(rootHist);
    const root: NodeWork = {
      id: newNode(rs.G, rs.H),
      start: 0,
      end: m,
      depth: 0,
      hist: rootHist,
      ...rs,
      best: null,
    };
    root.best = this.findSplit(root, F);
    const open: NodeWork[] = [root];
    let leaves = 1;
    while (leaves < o.maxLeaves) {
      let pick = -1;
      for (let k = 0; k < open.length; k++) {
        const nb = open[k].best;
        if (nb && open[k].depth < o.maxDepth && (pick < 0 || nb.gain > open[pick].best!.gain)) pick = k;
      }
      if (pick < 0) break;
      const node = open[pick];
      open.splice(pick, 1);
      const split = node.best!;
      const col = bins[split.feature];
      // In-place partition of this node's row range: left rows first.
      let a = node.start;
      let b = node.end - 1;
      const goesLeft = (i: number) => (col[i] === 0 ? split.missingLeft : col[i] <= split.bin);
      while (a <= b) {
        if (goesLeft(idx[a])) a++;
        else {
          const tmp = idx[a];
          idx[a] = idx[b];
          idx[b] = tmp;
          b--;
        }
      }
      const mid = a;
      const leftSmaller = mid - node.start <= node.end - mid;
      const small = leftSmaller
        ? this.buildHist(bins, g, h, idx, node.start, mid)
        : this.buildHist(bins, g, h, idx, mid, node.end);
      const large = new Float64Array(node.hist.length);
      for (let k = 0; k < large.length; k++) large[k] = node.hist[k] - small[k];
      const [lh, rh] = leftSmaller ? [small, large] : [large, small];
      const ls = sums(lh);
      const rsum = sums(rh);
      const lNode: NodeWork = {
        id: newNode(ls.G, ls.H),
        start: node.start,
        end: mid,
        depth: node.depth + 1,
        hist: lh,
        ...ls,
        best: null,
      };
      const rNode: NodeWork = {
        id: newNode(rsum.G, rsum.H),
        start: mid,
        end: node.end,
        depth: node.depth + 1,
        hist: rh,
        ...rsum,
        best: null,
      };
      feature[node.id] = split.feature;
      bin[node.id] = split.bin;
      missingLeft[node.id] = split.missingLeft ? 1 : 0;
      left[node.id] = lNode.id;
      right[node.id] = rNode.id;
      gain[node.id] = split.gain;
      for (const child of [lNode, rNode]) {
        if (child.depth < o.maxDepth && child.end - child.start >= 2 * o.minSamplesLeaf)
          child.best = this.findSplit(child, F);
        open.push(child);
      }
      leaves++;
    }
    return {
      feature: Int32Array.from(feature),
      bin: Int32Array.from(bin),
      missingLeft: Uint8Array.from(missingLeft),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
      gain: Float64Array.from(gain),
    };
  }

  private binInputs(cols: readonly Float64Array[]): Uint8Array[] {
    if (cols.length !== this.edges.length)
      throw new Error(`expected ${this.edges.length} features, got ${cols.length}`);
    return cols.map((c, f) => binColumn(c, this.edges[f]));
  }

  predictLogit(cols: readonly Float64Array[], nRows: number): Float64Array {
    const bins = this.binInputs(cols);
    const z = new Float64Array(nRows).fill(this.baseScore);
    for (const tree of this.trees) for (let i = 0; i < nRows; i++) z[i] += tree.value[leafOf(tree, bins, i)];
    return z;
  }

  predictProba(cols: readonly Float64Array[], nRows: number): Float64Array {
    return this.predictLogit(cols, nRows).map(sigmoid);
  }

  /**
   * Path attribution (Saabas): walking a row down each tree, the change in node value at every
   * split is credited to the split feature. Contributions plus `bias()` sum to the row's logit.
   * Returns a row-major nRows × nFeatures array.
   */
  contributions(cols: readonly Float64Array[], nRows: number): Float64Array[] {
    const bins = this.binInputs(cols);
    const F = cols.length;
    const out = Array.from({ length: nRows }, () => new Float64Array(F));
    for (const tree of this.trees) {
      for (let i = 0; i < nRows; i++) {
        const row = out[i];
        let node = 0;
        // The root value is a constant shift shared by every row; it is not any feature's doing.
        while (tree.feature[node] >= 0) {
          const f = tree.feature[node];
          const b = bins[f][i];
          const next = (b === 0 ? tree.missingLeft[node] === 1 : b <= tree.bin[node])
            ? tree.left[node]
            : tree.right[node];
          row[f] += tree.value[next] - tree.value[node];
          node = next;
        }
      }
    }
    return out;
  }

  /** The part of every row's logit that no feature explains: base score plus each tree's root value. */
  bias(): number {
    return this.trees.reduce((s, t) => s + t.value[0], this.baseScore);
  }

  /** Total split gain per feature, a cheap global importance. */
  gainImportance(): Float64Array {
    const imp = new Float64Array(this.edges.length);
    for (const t of this.trees)
      for (let k = 0; k < t.feature.length; k++) if (t.feature[k] >= 0) imp[t.feature[k]] += t.gain[k];
    return imp;
  }
}

function leafOf(tree: Tree, bins: readonly Uint8Array[], i: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const b = bins[tree.feature[node]][i];
    node = (b === 0 ? tree.missingLeft[node] === 1 : b <= tree.bin[node])
      ? tree.left[node]
      : tree.right[node];
  }
  return node;
}
