import type { SovereigntyPart } from './sovereignty.part.js';
import { portalRoutes } from './sovereignty-portal.routes.js';
import { settlePortalMail } from './sovereignty-portal.service.js';

/**
 * The portal part of the sovereignty module: passwordless sign-in for a customer's
 * contacts (code + link by mail), its own short session (cookie zs_portal), and the routes under
 * /api/v1/portal to see, correct, consent, export and ask for deletion. On close it waits for
 * sign-in mails still being sent.
 */
export const portalPart: SovereigntyPart = {
  routes: portalRoutes,
  setup(platform) {
    return () => settlePortalMail(platform);
  },
};
