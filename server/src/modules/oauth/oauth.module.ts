import { defineModule } from '../../platform/modules/module-definition.js';
import { purgeExpiredArtefacts } from './oauth.adapter.js';
import { flushUsage, oauthRuntime, oauthTokenResolver, rotateSigningKey } from './oauth.provider.js';
import { oauthRootRoutes } from './oauth.root.js';
import { oauthRoutes } from './oauth.routes.js';

/** OAuth 2.0 / OpenID Connect provider: apps, code + PKCE, client credentials, limits and usage. */
export const oauthModule = defineModule({
  name: 'oauth',
  summary:
    'OAuth 2.0 / OpenID Connect provider (oidc-provider): apps admins register, code + PKCE with consent, client credentials, refresh rotation, revocation, introspection; its tokens act on REST and GraphQL; per key/app/user rate limits and per-app usage.',
  permissions: ['apps:manage'],
  jobs: [
    {
      queue: 'oauth.purge-artefacts',
      cron: '23 3 * * *',
      description: 'Delete OAuth codes, tokens, sessions and grants that expired more than a day ago',
      run: (platform) => purgeExpiredArtefacts(platform.database),
    },
  ],
  setup(platform) {
    const stopResolving = platform.auth.useTokenResolver(oauthTokenResolver(platform));
    const rt = oauthRuntime(platform);
    rt.timer = setInterval(() => {
      flushUsage(platform).catch(() => undefined);
    }, 10_000);
    rt.timer.unref();
    return async () => {
      clearInterval(rt.timer);
      stopResolving();
      await flushUsage(platform).catch(() => undefined);
    };
  },
  routes: oauthRoutes,
  rootRoutes: oauthRootRoutes,
  cli(program, rt) {
    program
      .command('oauth:rotate-key')
      .description(
        'Add a new OAuth signing key (signs from now on; older keys stay in the JWKS for verification)',
      )
      .action(async () => {
        const kid = await rt.withDatabase((db) => rotateSigningKey(db));
        rt.out(`new signing key ${kid}\n`);
      });
  },
});
