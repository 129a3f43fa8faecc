import type { SovereigntyPart } from './sovereignty.part.js';

/** The portal part of the sovereignty module (being built: see issue 13). */
export const portalPart: SovereigntyPart = {};
