import { describe, expect, it } from 'vitest';
import { staleKeysFor } from './live';

describe('staleKeysFor', () => {
  const event = (name: string, entity: string | null) => ({ id: 1, name, entity, entity_id: 'x', at: '' });
  it('marks the queries of the changed entity stale, and only those', () => {
    expect(
      staleKeysFor(event('interventions.created', 'interventions'), ['interventions', 'opportunities']),
    ).toEqual(['interventions']);
    expect(staleKeysFor(event('accounts.updated', 'accounts'), ['interventions'])).toEqual([]);
  });
  it('falls back to the event name when the event has no entity', () => {
    expect(staleKeysFor(event('interventions.imported', null), ['interventions'])).toEqual(['interventions']);
  });
});
