import type { SovereigntyPart } from './sovereignty.part.js';
import { consentRoutes } from './sovereignty-consent.routes.js';
import { consentAnswerer } from './sovereignty-consent.service.js';

/**
 * The consent part of the sovereignty module: consent per purpose with notice
 * versions, restrictions of processing, the privacy dashboard and the record of processing. At
 * setup it answers the platform's consent gate, which predict, interventions, exports and
 * webhooks ask before they use a person's data.
 */
export const consentPart: SovereigntyPart = {
  publishes: [
    {
      name: 'consents.changed',
      when: 'a person granted or withdrew consent to a purpose (payload: contact_id, purpose, granted, notice_version_id, channel)',
      when_zh: '联系人同意或撤回了某项用途的授权',
    },
    {
      name: 'processing_restrictions.changed',
      when: "processing of a person's data was restricted or the restriction lifted (payload: contact_id, restricted, case_id)",
      when_zh: '联系人的个人信息处理被限制或解除限制',
    },
    {
      name: 'privacy_notices.published',
      when: 'a new privacy notice version was published (payload: id, version, published_at)',
      when_zh: '发布了新版隐私政策',
    },
  ],
  routes: consentRoutes,
  setup(platform) {
    platform.consent.register(consentAnswerer);
  },
};
