import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}
function leaf(obj: any, key: string): unknown {
  return key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
}
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'test' || f === 'i18n' ? [] : sources(p);
    return /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('i18n resources', () => {
  const enKeys = keys(en).sort();
  const zhKeys = keys(zhCN).sort();
  it('zh-CN and en have exactly the same keys', () => {
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
  });
  it('no value is empty and placeholders match', () => {
    for (const k of enKeys) {
      const a = String(leaf(en, k));
      const b = String(leaf(zhCN, k));
      expect(a.length, k).toBeGreaterThan(0);
      expect(b.length, k).toBeGreaterThan(0);
      const ph = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
      expect(ph(b), k).toEqual(ph(a));
    }
  });
  it('zh-CN is actually translated (most values differ from English)', () => {
    const same = enKeys.filter((k) => leaf(en, k) === leaf(zhCN, k));
    expect(same.length / enKeys.length).toBeLessThan(0.08);
  });
  it('every literal key used in the code exists', () => {
    const src = join(__dirname, '..');
    const missing: string[] = [];
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z_]+\.[a-zA-Z_.]+)'/g)) {
        if (leaf(en, m[1]!) === undefined) missing.push(`${file.slice(src.length)}: ${m[1]}`);
      }
      for (const m of text.matchAll(/(?:labelKey|key): '([a-z]+\.[a-zA-Z_.]+)'/g)) {
        if (m[1]!.startsWith('nav.') || m[1]!.startsWith('fields.') || m[1]!.startsWith('common.')) {
          if (leaf(en, m[1]!) === undefined) missing.push(`${file.slice(src.length)}: ${m[1]}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
  it('has a label for every enum value the API knows', () => {
    for (const ns of [
      'committee',
      'stance',
      'activityType',
      'activityStatus',
      'oppStatus',
      'roles',
      'cfType',
    ]) {
      expect(Object.keys((en as any)[ns]).length).toBeGreaterThan(2);
    }
    for (const r of [
      'rep',
      'manager',
      'regional_manager',
      'presales',
      'csm',
      'marketing',
      'coach',
      'admin',
    ]) {
      expect(leaf(zhCN, `roles.${r}`)).toBeTruthy();
    }
  });
});
