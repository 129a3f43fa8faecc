import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { permissionsOf, type Role } from '../../platform/auth/permissions.js';
import type { AppTypeProvider, TypedApp } from '../../platform/http/app.js';
import { negotiateLocale } from '../../platform/http/locale.js';
import { consentPage, errorPage, loginPage } from './oauth.pages.js';
import { providerFor } from './oauth.provider.js';
import { API_RESOURCE, isApiScope, scopeLabel } from './oauth.scopes.js';
import { userById } from './oauth.users.js';

const handlers = new WeakMap<Provider, (req: IncomingMessage, res: ServerResponse) => void>();

function handlerOf(provider: Provider) {
  let h = handlers.get(provider);
  if (!h) {
    h = provider.callback();
    handlers.set(provider, h);
  }
  return h;
}

/** The issuer: ZHONGSHU_OAUTH_ISSUER, else the origin the client called (scheme + Host). */
export function issuerOf(req: FastifyRequest): string {
  const fixed = process.env.ZHONGSHU_OAUTH_ISSUER?.trim();
  if (fixed) return fixed.replace(/\/$/, '');
  return `${req.protocol}://${req.host}`;
}

/** Endpoints called by apps without cookies (a browser app cross-origin, with CORS): no same-origin rule. */
const CROSS_SITE = ['/oauth/token', '/oauth/revoke', '/oauth/introspect', '/oauth/userinfo', '/oauth/jwks'];

const uidParams = z.object({ uid: z.string().min(1).max(200) });
const loginBody = z.object({
  email: z.string().max(320).optional(),
  password: z.string().max(1000).optional(),
  tenant: z.string().max(200).optional(),
  use_session: z.string().max(5).optional(),
});
const confirmBody = z.object({ decision: z.enum(['allow', 'deny']) });

/**
 * oidc-provider mounted in Fastify: its Koa callback serves /oauth/* and the discovery document
 * (raw req/res after reply.hijack(), bodies unread so it parses them itself); the sign-in and consent
 * pages are ours, under /oauth/interaction/:uid.
 */
export async function oauthRootRoutes(app: TypedApp): Promise<void> {
  const platform = app.platform;

  await app.register(async (pass) => {
    // Bodies stay unread: oidc-provider reads the raw stream.
    pass.removeAllContentTypeParsers();
    pass.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const serve = async (req: FastifyRequest, reply: FastifyReply) => {
      const provider = await providerFor(platform, issuerOf(req));
      reply.hijack();
      handlerOf(provider)(req.raw, reply.raw);
    };
    const opts = { config: { public: true }, schema: { hide: true } };
    pass.get('/.well-known/openid-configuration', opts, serve);
    for (const path of CROSS_SITE)
      pass.route({
        method: ['GET', 'POST', 'OPTIONS'],
        url: path,
        ...opts,
        config: { public: true, crossSite: true },
        handler: serve,
      });
    pass.all('/oauth/*', opts, serve);
  });

  await app.register(async (scope) => {
    const pages = scope.withTypeProvider<AppTypeProvider>();
    pages.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );

    const html = (reply: FastifyReply, status: number, body: string, formTargets: string[] = []) =>
      reply
        .status(status)
        .header('cache-control', 'no-store')
        // The consent form's redirect ends at the app: the browser applies form-action to it.
        .header(
          'content-security-policy',
          `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${formTargets.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
        )
        .type('text/html; charset=utf-8')
        .send(body);

    /** The interaction (its cookie ties it to this browser) and the app, or an error page. */
    async function load(req: FastifyRequest, reply: FastifyReply) {
      const locale = negotiateLocale(req.headers['accept-language']);
      const provider = await providerFor(platform, issuerOf(req));
      try {
        const details = await provider.interactionDetails(req.raw, reply.raw);
        const client = await provider.Client.find(String(details.params.client_id));
        if (!client) throw new Error('unknown client');
        const targets = [
          ...new Set(client.redirectUris.map((u) => URL.parse(u)?.origin).filter((o) => o && o !== 'null')),
        ] as string[];
        const appName = String((client as unknown as { clientName?: string }).clientName ?? client.clientId);
        return { locale, provider, details, client, targets, appName };
      } catch {
        const message =
          locale === 'zh-CN'
            ? '登录请求已过期或无效，请回到应用重新发起。'
            : 'This sign-in request has expired or is not valid. Start again from the app.';
        html(reply, 400, errorPage(locale, message));
        return null;
      }
    }

    const sessionUserName = (req: FastifyRequest) =>
      req.actor?.actorType === 'user' && req.actor.sessionId ? req.actor.actorName : undefined;

    pages.get(
      '/oauth/interaction/:uid',
      { config: { public: true }, schema: { hide: true, params: uidParams } },
      async (req, reply) => {
        const it = await load(req, reply);
        if (!it) return reply;
        const { locale, details, targets, appName } = it;
        if (details.prompt.name === 'login')
          return html(
            reply,
            200,
            loginPage(locale, { uid: details.uid, appName, sessionUserName: sessionUserName(req) }),
            targets,
          );
        const accountId = details.session?.accountId ?? '';
        const user = await userById(platform.database, accountId);
        const held = new Set<string>(user ? permissionsOf(user.role as Role) : []);
        const requested = String(details.params.scope ?? '')
          .split(' ')
          .filter(Boolean);
        const scopes = requested.map((scope) => ({
          scope,
          label: scopeLabel(scope, locale),
          held: !isApiScope(scope) || held.has(scope),
        }));
        return html(
          reply,
          200,
          consentPage(locale, { uid: details.uid, appName, userName: user?.name ?? '', scopes }),
          targets,
        );
      },
    );

    pages.post(
      '/oauth/interaction/:uid/login',
      { config: { public: true }, schema: { hide: true, params: uidParams, body: loginBody } },
      async (req, reply) => {
        const it = await load(req, reply);
        if (!it) return reply;
        const { locale, provider, details, targets, appName } = it;
        let accountId: string | undefined;
        if (req.body.use_session && req.actor?.actorType === 'user' && req.actor.sessionId)
          accountId = req.actor.actorId ?? undefined;
        else {
          const email = req.body.email ?? '';
          const result = await platform.auth.login(email, req.body.password ?? '', {
            tenant: req.body.tenant?.trim() || undefined,
            ip: req.ip,
          });
          if (result.kind === 'ok') {
            // Only the password check was wanted: the web session it opened is closed again.
            await platform.auth.logout(result.token);
            accountId = result.user.id;
          } else {
            const error = result.kind === 'throttled' ? { throttled: result.retryAfterSeconds } : result.kind;
            const status = result.kind === 'throttled' ? 429 : 401;
            return html(
              reply,
              status,
              loginPage(locale, { uid: details.uid, appName, error, email }),
              targets,
            );
          }
        }
        const returnTo = await provider.interactionResult(
          req.raw,
          reply.raw,
          { login: { accountId } },
          { mergeWithLastSubmission: false },
        );
        return reply
          .header('content-security-policy', `form-action 'self' ${targets.join(' ')}`)
          .redirect(returnTo, 303);
      },
    );

    pages.post(
      '/oauth/interaction/:uid/confirm',
      { config: { public: true }, schema: { hide: true, params: uidParams, body: confirmBody } },
      async (req, reply) => {
        const it = await load(req, reply);
        if (!it) return reply;
        const { locale, provider, details, client } = it;
        if (details.prompt.name !== 'consent' || !details.session)
          return html(reply, 400, errorPage(locale, locale === 'zh-CN' ? '请先登录。' : 'Sign in first.'));
        let result: Record<string, unknown>;
        if (req.body.decision === 'deny') {
          result = { error: 'access_denied', error_description: 'The user declined the request' };
        } else {
          const accountId = details.session.accountId;
          const user = await userById(platform.database, accountId);
          const held = new Set<string>(user?.active ? permissionsOf(user.role as Role) : []);
          const grant = details.grantId
            ? ((await provider.Grant.find(details.grantId)) ??
              new provider.Grant({ accountId, clientId: client.clientId }))
            : new provider.Grant({ accountId, clientId: client.clientId });
          const missing = details.prompt.details as {
            missingOIDCScope?: string[];
            missingOIDCClaims?: string[];
            missingResourceScopes?: Record<string, string[]>;
          };
          if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
          if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
          for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
            // Never more than the granting user holds: what they lack is recorded as refused.
            const granted = scopes.filter((s) => resource === API_RESOURCE && held.has(s));
            const refused = scopes.filter((s) => !granted.includes(s));
            if (granted.length) grant.addResourceScope(resource, granted.join(' '));
            if (refused.length) grant.rejectResourceScope(resource, refused.join(' '));
          }
          const grantId = await grant.save();
          result = { consent: { grantId } };
        }
        const returnTo = await provider.interactionResult(req.raw, reply.raw, result, {
          mergeWithLastSubmission: true,
        });
        return reply.redirect(returnTo, 303);
      },
    );
  });
}
