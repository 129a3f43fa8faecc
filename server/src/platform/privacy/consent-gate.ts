import { type CacheRegistry, cachesOf } from '../caches.js';
import type { Tx } from '../db/database.js';

/**
 * The question every use of a person's data asks first: may these people's data be used
 * for this purpose? Business-free: the purposes are names (`profiling`, `marketing_email`,
 * `partner_sharing`, `call_recording`, …) and the answers come from whichever module registered
 * itself (the sovereignty module, at setup). With nothing registered every use is allowed, as
 * before consent existed.
 */
export interface ConsentAnswerer {
  /** Of these contacts, the ones whose data may NOT be used for the purpose (incl. restricted ones). */
  denied(tx: Tx, tenantId: string, contactIds: readonly string[], purpose: string): Promise<Set<string>>;
  /** Of these contacts, the ones under a restriction of processing: kept, but used for nothing. */
  restricted(tx: Tx, tenantId: string, contactIds: readonly string[]): Promise<Set<string>>;
}

/** The platform's consent gate: modules ask it; one module answers (registered at setup). */
export class ConsentGate implements ConsentAnswerer {
  private answerer: ConsentAnswerer | null = null;

  constructor(caches: CacheRegistry) {
    gates.set(caches, this);
  }

  register(answerer: ConsentAnswerer): void {
    this.answerer = answerer;
  }

  async denied(tx: Tx, tenantId: string, contactIds: readonly string[], purpose: string) {
    if (!this.answerer || contactIds.length === 0) return new Set<string>();
    return this.answerer.denied(tx, tenantId, contactIds, purpose);
  }

  async restricted(tx: Tx, tenantId: string, contactIds: readonly string[]) {
    if (!this.answerer || contactIds.length === 0) return new Set<string>();
    return this.answerer.restricted(tx, tenantId, contactIds);
  }
}

/** Each platform's gate by its cache registry (the one every transaction of it is bound to). */
const gates = new WeakMap<CacheRegistry, ConsentGate>();

/**
 * The consent gate of the platform a transaction runs in, for service code that is given a `tx`
 * and not the platform (scoring, exports): same binding as `cachesOf(tx)`. A transaction of a
 * platform without a gate (a bare database in a script) allows everything.
 */
export function consentGateOf(tx: Tx): ConsentAnswerer {
  return gates.get(cachesOf(tx)) ?? allowAll;
}

const allowAll: ConsentAnswerer = {
  denied: async () => new Set<string>(),
  restricted: async () => new Set<string>(),
};
