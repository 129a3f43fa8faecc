import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { graphqlJs } from './graphql-js.js';

const { GraphQLError } = graphqlJs;

import { createYoga, type Plugin } from 'graphql-yoga';
import type { TypedApp } from '../../platform/http/app.js';
import { type Locale, negotiateLocale, translate } from '../../platform/http/locale.js';
import { CONSOLE_HTML, CONSOLE_JS } from './graphql.console.js';
import { type GqlContext, requestContext } from './graphql.context.js';
import { COST_LIMITS, operationCost } from './graphql.cost.js';
import { toGraphqlError } from './graphql.errors.js';
import { graphqlSchema } from './graphql.schema.js';
import { printedSdl } from './graphql.sdl.js';

const PATH = '/graphql';

type YogaContext = GqlContext & { log?: (err: unknown) => void };

/** extensions.cost on every answer, the cost limit, and errors with codes in the caller's language. */
function costAndErrors(logError: (err: unknown) => void): Plugin<YogaContext> {
  return {
    onValidate({ context }) {
      return ({ result, setResult }) => {
        if (result.length) setResult(result.map((e) => toGraphqlError(e, context.locale, logError)));
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as YogaContext;
      const requested =
        operationCost(args.schema, args.document, args.operationName, args.variableValues) ?? 0;
      const cost = (actual: number | null) => ({
        requestedQueryCost: requested,
        actualQueryCost: actual,
        maximumAvailable: COST_LIMITS.maxCost,
      });
      if (requested > COST_LIMITS.maxCost) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              translate(
                `The query would cost ${requested}; at most ${COST_LIMITS.maxCost} is allowed (ask for fewer records with first, or fewer nested connections)`,
                ctx.locale,
              ),
              { extensions: { code: 'MAX_COST_EXCEEDED', cost: cost(null) } },
            ),
          ],
          extensions: { cost: cost(null) },
        });
        return;
      }
      return {
        onExecuteDone({ result, setResult }) {
          if (!('data' in result) && !('errors' in result)) return;
          if (Symbol.asyncIterator in result) return;
          const actual =
            operationCost(
              args.schema,
              args.document,
              args.operationName,
              args.variableValues,
              result.data ?? null,
            ) ?? 0;
          setResult({
            ...result,
            ...(result.errors
              ? { errors: result.errors.map((e) => toGraphqlError(e, ctx.locale, logError)) }
              : {}),
            extensions: { ...result.extensions, cost: cost(actual) },
          });
        },
      };
    },
  };
}

/** The answer to a request without a signed-in caller (HTTP 401, a GraphQL error body). */
function unauthenticated(locale: Locale) {
  return {
    errors: [
      { message: translate('Authentication required', locale), extensions: { code: 'UNAUTHENTICATED' } },
    ],
  };
}

/**
 * POST /graphql: the caller (session cookie or Bearer token, set by the platform's onRequest hook)
 * is required here, since the platform enforces authentication under /api only. The whole request
 * runs in one tenant transaction (mutations in savepoints); the event bus is nudged after a commit
 * that wrote. GET /graphql serves the query console outside production (no CDN: it is our own page).
 */
export function graphqlRoutes(app: TypedApp): void {
  const production = process.env.NODE_ENV === 'production';
  const yoga = createYoga<YogaContext>({
    schema: graphqlSchema,
    graphqlEndpoint: PATH,
    graphiql: false,
    landingPage: false,
    maskedErrors: false,
    logging: false,
    plugins: [
      maxDepthPlugin({
        n: COST_LIMITS.maxDepth,
        exposeLimits: true,
        ignoreIntrospection: true,
        // Reported as a validation error (not thrown), so it gets its code and translation like the others.
        propagateOnRejection: false,
        onReject: [(context, err) => context?.reportError(err)],
      }),
      costAndErrors((err) => app.log.error({ err }, 'graphql resolver failed')),
    ],
  });

  app.post(PATH, { schema: { hide: true } }, async (req, reply) => {
    const locale = negotiateLocale(req.headers['accept-language']);
    reply.header('content-language', locale).header('vary', 'Accept-Language');
    const actor = req.actor;
    if (!actor) return reply.status(401).header('www-authenticate', 'Bearer').send(unauthenticated(locale));
    let wrote = false;
    const answer = await app.platform.database.tenantTx(actor.tenantId, async (tx) => {
      const ctx = requestContext(tx, actor, locale);
      const res = await yoga.fetch(
        `http://localhost${PATH}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: req.headers.accept ?? 'application/json' },
          body: JSON.stringify(req.body ?? {}),
        },
        ctx,
      );
      const body = await res.text();
      wrote = ctx.wrote;
      return { status: res.status, type: res.headers.get('content-type'), body };
    });
    if (wrote) app.platform.bus.nudge();
    reply.status(answer.status);
    if (answer.type) reply.type(answer.type);
    return reply.send(answer.body);
  });

  app.get(PATH, { schema: { hide: true } }, async (req, reply) => {
    const locale = negotiateLocale(req.headers['accept-language']);
    if (production)
      return reply
        .status(405)
        .header('allow', 'POST')
        .send({
          errors: [
            {
              message: translate('Send GraphQL requests as POST', locale),
              extensions: { code: 'METHOD_NOT_ALLOWED' },
            },
          ],
        });
    return reply.type('text/html; charset=utf-8').send(CONSOLE_HTML);
  });
  app.get(`${PATH}/schema.graphql`, { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(printedSdl()),
  );
  if (!production)
    app.get(`${PATH}/console.js`, { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').send(CONSOLE_JS),
    );
}
