/**
 * The API's types, read from the generated OpenAPI types (api-schema.d.ts, made by
 * `npm run api:types --workspace web` from the server's route schemas). The web app names its
 * records with these helpers instead of writing them by hand beside the server's.
 *
 *   ApiResponse<'/accounts/{id}'>            what GET /api/v1/accounts/{id} answers
 *   ApiResponse<'/interventions/{id}/accept', 'post'>
 *   ApiBody<'/users', 'post'>                what POST /api/v1/users takes
 *   ApiQuery<'/forecast'>                    GET /api/v1/forecast's query parameters
 *   ApiRow<'/accounts'>                      one row of a list's `data`
 */
import type { components, paths } from './api-schema';

/** The API's paths without the /api/v1 prefix, as `api()` takes them ('/accounts/{id}'). */
type V1 = {
  [K in keyof paths as K extends `/api/v1${infer P}` ? P : never]: paths[K];
};
export type ApiPath = keyof V1;
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Operation<P extends ApiPath, M extends HttpMethod> = V1[P][M];

/** The paths that answer a method (e.g. every path with a GET). */
export type PathsWith<M extends HttpMethod> = {
  [P in ApiPath]: Operation<P, M> extends { responses: unknown } ? P : never;
}[ApiPath];

type Json<T> = T extends { content: { 'application/json': infer J } } ? J : undefined;
type Success<R> =
  R extends Record<string | number, unknown>
    ? { [C in keyof R]: C extends 200 | 201 | 202 | 204 ? Json<R[C]> : never }[keyof R]
    : never;

/** The JSON a successful call answers (undefined for 204 No Content). */
export type ApiResponse<P extends PathsWith<M>, M extends HttpMethod = 'get'> = Success<
  Operation<P, M> extends { responses: infer R } ? R : never
>;
/** The JSON request body a call takes. */
export type ApiBody<P extends PathsWith<M>, M extends HttpMethod> =
  Operation<P, M> extends {
    requestBody?: infer B;
  }
    ? Json<NonNullable<B>>
    : never;
/** The query parameters a call takes. */
export type ApiQuery<P extends PathsWith<M>, M extends HttpMethod = 'get'> =
  Operation<P, M> extends {
    parameters: { query?: infer Q };
  }
    ? NonNullable<Q>
    : never;
/** The path parameters a call takes ({ id } for '/accounts/{id}'). */
export type ApiPathParams<P extends PathsWith<M>, M extends HttpMethod = 'get'> =
  Operation<P, M> extends {
    parameters: { path?: infer A };
  }
    ? NonNullable<A>
    : never;
/** One element of a list answer's `data`. */
export type ApiRow<P extends PathsWith<'get'>> = ApiResponse<P> extends { data: (infer R)[] } ? R : never;

/** RFC 9457 problem details, as every error response carries them. */
export type ApiProblem = components['schemas']['Problem'];

/** A type without its index signature (`[key: string]: unknown`), for Omit and Pick. */
export type Known<T> = {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};
