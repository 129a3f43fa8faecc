import { describe, expect, it } from 'vitest';
import { staleQueriesFor } from './live';

describe('staleQueriesFor', () => {
  const event = (name: string, entity: string | null) => ({ id: 1, name, entity, entity_id: 'x', at: '' });
  it('marks the queries of the changed resource stale, and only when the page watches it', () => {
    expect(
      staleQueriesFor(event('interventions.created', 'interventions'), ['interventions', 'opportunities']),
    ).toEqual([['interventions']]);
    expect(staleQueriesFor(event('accounts.updated', 'accounts'), ['interventions'])).toEqual([]);
  });
  it('falls back to the event name when the event has no entity', () => {
    expect(staleQueriesFor(event('interventions.imported', null), ['interventions'])).toEqual([
      ['interventions'],
    ]);
  });
  it('an opportunity change refreshes its record, its lists and the board', () => {
    expect(staleQueriesFor(event('opportunities.updated', 'opportunities'), ['opportunities'])).toEqual([
      ['opportunities'],
      ['list', 'opportunities'],
      ['board'],
    ]);
  });
  it('an event no mapping knows refreshes nothing', () => {
    expect(staleQueriesFor(event('record_shares.created', 'record_shares'), ['record_shares'])).toEqual([]);
  });
});
