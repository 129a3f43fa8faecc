import type { DomainEvent } from '../../platform/events/event-bus.js';
import { prop } from '../../platform/narrow.js';

/**
 * The part of crm's `accounts.merged` / `accounts.unmerged` / `contacts.merged` /
 * `contacts.unmerged` payload every subscriber needs: which merge, which record stays and which
 * went. crm publishes these events, so it owns how they are read; null when the payload lacks one.
 */
export interface MergeEventIds {
  mergeId: string;
  survivor: string;
  merged: string;
}

export function mergeEventIds(ev: DomainEvent): MergeEventIds | null {
  const s = (k: string) => {
    const v = prop(ev.payload, k);
    return typeof v === 'string' ? v : null;
  };
  const mergeId = s('merge_id');
  const survivor = s('survivor_id');
  const merged = s('merged_id');
  return mergeId && survivor && merged ? { mergeId, survivor, merged } : null;
}
