import type { SovereigntyPart } from './sovereignty.part.js';

/** The cases part of the sovereignty module (being built: see issue 13). */
export const casesPart: SovereigntyPart = {};
