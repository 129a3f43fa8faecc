import { defineModule } from '../../platform/modules/module-definition.js';
import { joinParts } from './sovereignty.part.js';
import { sovereigntyPersonalData } from './sovereignty.personal-data.js';
import { casesPart } from './sovereignty-cases.part.js';
import { consentPart } from './sovereignty-consent.part.js';
import { erasurePart } from './sovereignty-erasure.part.js';
import { portalPart } from './sovereignty-portal.part.js';

/**
 * Customer Data Sovereignty Center: the customer's contacts log into a passwordless portal
 * to see, correct, consent, export and delete their data; every request is a case on a legal
 * clock; consent is enforced wherever data is used; erasure reaches every module's data.
 */
export const sovereigntyModule = defineModule({
  name: 'sovereignty',
  summary:
    'The customer data sovereignty center: portal for contacts, privacy cases with legal clocks, consent per purpose, erasure with proof.',
  permissions: ['privacy:read', 'privacy:manage'],
  personalData: sovereigntyPersonalData,
  ...joinParts([portalPart, casesPart, consentPart, erasurePart]),
});
