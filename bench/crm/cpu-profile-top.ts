/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the top functions by self time, self time per
 * package (node_modules/<pkg>, node internals, our own source) and the top functions by total
 * (inclusive) time, so "where does the server's CPU go per request" has an answer without tools.
 *
 *   npx tsx bench/crm/cpu-profile-top.ts <file.cpuprofile> [top=30] [--match <substring>]
 *
 * --match keeps only samples whose stack contains a frame whose function or url includes the
 * substring (e.g. `--match onRequest`), to look at one path. --window a,b keeps the samples
 * between a and b seconds before the profile's end (one phase of a run, e.g. the last wrk run).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args[0];
if (!file) {
  console.error('usage: cpu-profile-top.ts <file.cpuprofile> [top] [--match substring]');
  process.exit(2);
}
const top = Number(args[1] && !args[1].startsWith('--') ? args[1] : 30);
const matchAt = args.indexOf('--match');
const match = matchAt >= 0 ? args[matchAt + 1] : undefined;
const windowAt = args.indexOf('--window');
const [winFrom, winTo] = windowAt >= 0 ? args[windowAt + 1].split(',').map(Number) : [undefined, undefined];

const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (f: CallFrame) => {
  const where = f.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '~/');
  return `${f.functionName || '(anonymous)'} ${where ? `${where.split('/').slice(-3).join('/')}:${f.lineNumber + 1}` : ''}`;
};
const packageOf = (f: CallFrame) => {
  const u = f.url;
  if (!u) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1];
  if (u.startsWith('node:')) return 'node internals';
  if (u.includes('/server/dist/') || u.includes('/server/src/')) return 'zhongshu (server)';
  return u.split('/').slice(-2).join('/');
};

const self = new Map<string, number>();
const pkg = new Map<string, number>();
const total = new Map<string, number>();
let sampled = 0;
let idle = 0;
let at = prof.startTime;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i] ?? 0;
  at += dt;
  if (winFrom !== undefined && winTo !== undefined) {
    const beforeEnd = (prof.endTime - at) / 1e6;
    if (beforeEnd > Math.max(winFrom, winTo) || beforeEnd < Math.min(winFrom, winTo)) continue;
  }
  const leaf = byId.get(prof.samples[i]);
  if (!leaf) continue;
  const stack: CallFrame[] = [];
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id);
    if (n) stack.push(n.callFrame);
  }
  if (leaf.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  if (match && !stack.some((f) => f.functionName.includes(match) || f.url.includes(match))) continue;
  sampled += dt;
  const l = label(leaf.callFrame);
  self.set(l, (self.get(l) ?? 0) + dt);
  const p = packageOf(leaf.callFrame);
  pkg.set(p, (pkg.get(p) ?? 0) + dt);
  for (const l2 of new Set(stack.map(label))) total.set(l2, (total.get(l2) ?? 0) + dt);
}

const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) => `${((100 * us) / sampled).toFixed(1).padStart(5)} %`;
const show = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${ms(v)} ms ${pct(v)}  ${k}`);
};
console.log(
  `profile ${file}: ${((prof.endTime - prof.startTime) / 1e6).toFixed(1)} s wall, ${(sampled / 1e6).toFixed(1)} s busy${match ? ` (stacks with "${match}")` : ''}, ${(idle / 1e6).toFixed(1)} s idle`,
);
show('self time by package', pkg, 20);
show(`top ${top} functions by self time`, self, top);
show(`top ${top} functions by total time`, total, top);
