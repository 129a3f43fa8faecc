import { describe, expect, it } from 'vitest';
import { fillPath, toSearch } from './api';

describe('typed calls', () => {
  it('fills path parameters, each URI-encoded', () => {
    expect(fillPath('/accounts/{id}', { id: 'a1' })).toBe('/accounts/a1');
    expect(fillPath('/accounts/{id}/shares/{shareId}', { id: 'a/b', shareId: 's 1' })).toBe(
      '/accounts/a%2Fb/shares/s%201',
    );
    expect(fillPath('/accounts', undefined)).toBe('/accounts');
  });
  it('refuses a call whose path parameter is missing, instead of asking for /accounts/undefined', () => {
    expect(() => fillPath('/accounts/{id}', {})).toThrow('/accounts/{id}: no id');
    expect(() => fillPath('/accounts/{id}', { id: '' })).toThrow();
  });
  it('leaves empty query values out', () => {
    expect(toSearch({ q: 'x', owner_id: undefined, status: null, sort: '' })).toBe('?q=x');
  });
});
