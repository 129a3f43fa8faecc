import { describe, expect, it } from 'vitest';
import { importPercent } from './mapping';

describe('importPercent', () => {
  it('counts checking as the first fifth and writing as the rest', () => {
    expect(importPercent({ phase: 'queued', processed: 0, total: 0 })).toBe(0);
    expect(importPercent({ phase: 'validating', processed: 500, total: 1000 })).toBe(10);
    expect(importPercent({ phase: 'writing', processed: 500, total: 1000 })).toBe(60);
    expect(importPercent({ phase: 'done', processed: 1000, total: 1000 })).toBe(100);
  });
});
