import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes no cookie credential and may be called from other sites (with CORS), e.g. an
     * OAuth token endpoint a browser app calls: the same-origin rule below does not apply to it.
     */
    crossSite?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Why an unsafe request is refused as cross-site, or undefined. A caller with a Bearer
 * Authorization header (API key, session token) is not a browser riding on a cookie (a page on
 * another site cannot set that header without a CORS preflight, which this server never grants).
 * A browser says where the page that sent the request lives: the Origin header (every modern
 * browser sends it on POST/PUT/PATCH/DELETE), else Sec-Fetch-Site. Either must name this server;
 * a client that sends neither (curl, a server-side integration) is not a browser and passes.
 */
export function crossSiteReason(req: FastifyRequest): string | undefined {
  if (!UNSAFE.has(req.method)) return undefined;
  if (req.routeOptions.config?.crossSite === true) return undefined;
  if (req.headers.authorization?.toLowerCase().startsWith('bearer ')) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined) return sameOrigin(origin, req.headers.host) ? undefined : `Origin ${origin}`;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site ${site}`;
  return undefined;
}

/** Whether the Origin names the Host the request was sent to (default ports normalised). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (origin === 'null' || !host) return false;
  try {
    const from = new URL(origin);
    // The Host header read with the Origin's scheme, so :80 / :443 compare equal to no port.
    const to = new URL(`${from.protocol}//${host}`);
    return from.host.toLowerCase() === to.host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Cross-site request forgery and content-type checks for unsafe methods: a browser request from
 * another site is refused with 403 (whether or not it carries the session cookie, so a login form
 * on another site cannot log a user in either), and only JSON bodies are parsed (the text/plain
 * parser is removed, so a form-encoded, multipart or text/plain request, even without a body, is
 * 415 — the three content types a cross-site HTML form can send).
 */
export function registerCsrfGuard(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (req) => {
    const reason = crossSiteReason(req);
    if (reason)
      throw new ProblemError(
        403,
        'Forbidden',
        'Cross-site request refused: it does not come from this server',
        [{ field: 'origin', reason: 'must be this server (same origin)' }],
      );
  });
}
