import type { SovereigntyPart } from './sovereignty.part.js';

/** The consent part of the sovereignty module (being built: see issue 13). */
export const consentPart: SovereigntyPart = {};
