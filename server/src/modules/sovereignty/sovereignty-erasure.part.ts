import type { SovereigntyPart } from './sovereignty.part.js';

/** The erasure part of the sovereignty module (being built: see issue 13). */
export const erasurePart: SovereigntyPart = {};
