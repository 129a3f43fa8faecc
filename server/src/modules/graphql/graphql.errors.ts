import type { GraphQLError as GraphQLErrorType } from 'graphql';
import { graphqlJs } from './graphql-js.js';

const { GraphQLError } = graphqlJs;
type GraphQLError = GraphQLErrorType;

import type { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { can } from '../../platform/auth/auth-context.js';
import type { Permission } from '../../platform/auth/permissions.js';
import { type Locale, translate } from '../../platform/http/locale.js';
import { badRequest, forbidden, ProblemError, zodFieldErrors } from '../../platform/http/problem.js';
import { prop } from '../../platform/narrow.js';

/** The `extensions.code` of every error a GraphQL answer carries (docs/api.md lists them). */
export type GraphqlErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'MAX_DEPTH_EXCEEDED'
  | 'MAX_COST_EXCEEDED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'INTERNAL_SERVER_ERROR';

const CODE_OF_STATUS: Record<number, GraphqlErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'BAD_USER_INPUT',
};

/** The same permission check as a REST route's `config.permission`, for one field or mutation. */
export function requirePermission(ctx: ActorContext, permission: Permission): void {
  if (!can(ctx, permission)) throw forbidden(`Your role (${ctx.role}) lacks the permission ${permission}`);
}

/**
 * Parses a mutation's input with the zod schema its REST route uses; a failure is a 400 problem
 * naming each field as the GraphQL input path (`input.name`), like REST's body errors.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, path = 'input'): z.output<S> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  throw badRequest(
    'Invalid input',
    zodFieldErrors(r.error.issues, (issue) => [path, ...issue.path.map(String)].join('.')),
  );
}

/** A problem's field names in GraphQL terms: list filters are under `filter.`. */
export type FieldNamer = (field: string) => string;

/** What an error thrown in a resolver becomes: a GraphQL error with a code, in the caller's language. */
export function toGraphqlError(
  err: GraphQLError,
  locale: Locale,
  logError: (e: unknown) => void,
): GraphQLError {
  const original = err.originalError;
  const at = { nodes: err.nodes, path: err.path, source: err.source, positions: err.positions };
  if (original instanceof ProblemError) {
    const code = CODE_OF_STATUS[original.status] ?? 'INTERNAL_SERVER_ERROR';
    const errors = original.errors.map(({ field, reason, reasons }) => ({
      field,
      reason: reasons?.[locale] ?? translate(reason, locale),
    }));
    return new GraphQLError(translate(original.detail ?? original.title, locale), {
      ...at,
      extensions: {
        code,
        status: original.status,
        ...(errors.length ? { field: errors[0].field, errors } : {}),
      },
    });
  }
  // The database said no: the same answers as REST's error handler.
  const pg = pgCode(original);
  if (pg === '23505')
    return new GraphQLError(translate('A record with the same unique value already exists', locale), {
      ...at,
      extensions: { code: 'CONFLICT', status: 409 },
    });
  if (pg === '23503')
    return new GraphQLError(translate('A referenced record does not exist', locale), {
      ...at,
      extensions: { code: 'BAD_USER_INPUT', status: 422 },
    });
  if (pg && /^22/.test(pg))
    return new GraphQLError(translate('A value has the wrong format', locale), {
      ...at,
      extensions: { code: 'BAD_USER_INPUT', status: 400 },
    });
  if (original) {
    // Anything else is ours to fix: logged, never shown.
    logError(original);
    return new GraphQLError(translate('Something went wrong on our side; it has been logged.', locale), {
      ...at,
      extensions: { code: 'INTERNAL_SERVER_ERROR', status: 500 },
    });
  }
  // Parse and validation errors of graphql-js (and the depth limit's) carry no original error.
  const depth = /^Syntax Error: Query depth limit of (\d+) exceeded, found (\d+)\.$/.exec(err.message);
  if (depth)
    return new GraphQLError(
      translate(`The query is nested ${depth[2]} levels deep; at most ${depth[1]} are allowed`, locale),
      {
        ...at,
        extensions: { code: 'MAX_DEPTH_EXCEEDED', maxDepth: Number(depth[1]), depth: Number(depth[2]) },
      },
    );
  if (err.extensions?.code) return err;
  return new GraphQLError(err.message, {
    ...at,
    extensions: { ...err.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
  });
}

function pgCode(err: unknown): string | undefined {
  const code = prop(err, 'code') ?? prop(prop(err, 'cause'), 'code');
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
