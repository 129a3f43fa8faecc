/**
 * Shared bench plumbing: locating the shared data folder, machine facts, and appending a dated
 * section to BENCHMARKS.md. Data is read in place (never copied; see BENCHMARKS-PROTOCOL.md).
 */
import { appendFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export function dataDir(dataset: string): string {
  const root = process.env.ZHONGSHU_SHARED_DATA
    ? new URL(`file://${process.env.ZHONGSHU_SHARED_DATA.replace(/\/?$/, '/')}`)
    : new URL('../../../shared/data/', import.meta.url);
  const dir = fileURLToPath(new URL(`${dataset}/`, root));
  if (!existsSync(dir)) throw new Error(`dataset folder not found: ${dir} (set ZHONGSHU_SHARED_DATA)`);
  return dir;
}

export function machine(): string {
  const c = cpus();
  return `node ${process.version}, ${c[0]?.model ?? 'unknown cpu'}, ${c.length} cores`;
}

export const pct = (v: number | null | undefined, d = 2) =>
  v == null || Number.isNaN(v) ? '—' : `${v.toFixed(d)}%`;
export const num = (v: number | null | undefined, d = 4) =>
  v == null || Number.isNaN(v) ? '—' : v.toFixed(d);
export const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (r: (string | number)[]) => `| ${r.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Appends "## title (date)" with machine, reproduce command and body to /work/main/BENCHMARKS.md. */
export function appendSection(title: string, command: string, body: string): void {
  const file = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
  const head = existsSync(file) ? '' : '# Benchmarks\n\nAppend-only log of benchmark runs.\n';
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  appendFileSync(
    file,
    `${head}\n## ${title} — ${date} UTC\n\n- Machine: ${machine()}\n- Reproduce: \`${command}\`\n\n${body}\n`,
  );
}

/** True when the module is the script being run (not imported by run-all). */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1];
}
