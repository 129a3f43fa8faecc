/** Admin → Apps: API types, query keys and the pure helpers the screens share (tested in apps.test.tsx). */
import type { ApiBody, ApiResponse } from '../../../lib/api-types';
import type { Lang } from '../../../lib/format';
import { ApiError, type Problem } from '../../../lib/problem';

export type App = ApiResponse<'/oauth/apps'>['items'][number];
export type Scope = ApiResponse<'/oauth/scopes'>['items'][number];
export type AppBody = ApiBody<'/oauth/apps', 'post'>;
export type AppPatch = ApiBody<'/oauth/apps/{id}', 'patch'>;
export type AppType = App['type'];
/** An app as the create / rotate answers give it: with its secret, this once. */
export type AppWithSecret = ApiResponse<'/oauth/apps', 'post'>;

/** This screen's TanStack Query keys (all under 'oauth', so one invalidation refreshes the tab). */
export const appKeys = {
  all: ['oauth'] as const,
  apps: ['oauth', 'apps'] as const,
  scopes: ['oauth', 'scopes'] as const,
};

export const FORM_FIELDS = ['name', 'type', 'redirect_uris', 'scopes'];

/** What the register/edit form holds (the redirect URIs as the text the admin typed). */
export interface AppForm {
  name: string;
  type: AppType;
  redirects: string;
  scopes: string[];
}

export const emptyForm: AppForm = { name: '', type: 'confidential', redirects: '', scopes: [] };

export function formOf(a: App): AppForm {
  return { name: a.name, type: a.type, redirects: a.redirect_uris.join('\n'), scopes: [...a.scopes] };
}

/** The non-blank lines of the redirect URIs text, trimmed, each with its line number (1-based). */
export function redirectLines(text: string): { line: number; uri: string }[] {
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ line: i + 1, uri: l.trim() }))
    .filter((l) => l.uri !== '');
}

export type ApiScope = AppBody['scopes'][number];

/** The request body of the form; only the API scopes the server offers (`known`) are sent. */
export function appBody(form: AppForm, known: Scope[]): AppBody {
  const offered = new Set(known.filter((s) => s.kind === 'api').map((s) => s.scope));
  const isApiScope = (s: string): s is ApiScope => offered.has(s);
  return {
    name: form.name.trim(),
    type: form.type,
    redirect_uris: redirectLines(form.redirects).map((l) => l.uri),
    scopes: form.scopes.filter(isApiScope),
  };
}

/**
 * The server names a refused redirect URI by its index (`redirect_uris.2`); the admin typed lines.
 * Rewrites each such reason to name the line and the URI, so it reads at the field.
 */
export function withRedirectLines(
  e: unknown,
  text: string,
  say: (line: number, uri: string, reason: string) => string,
): unknown {
  if (!(e instanceof ApiError) || !e.problem.errors?.length) return e;
  const lines = redirectLines(text);
  const errors = e.problem.errors.map((fe) => {
    const m = /^(?:body[./])?redirect_uris[.[/](\d+)/.exec(fe.field ?? '');
    const at = m ? lines[Number(m[1])] : undefined;
    return at ? { ...fe, reason: say(at.line, at.uri, fe.reason) } : fe;
  });
  const problem: Problem = { ...e.problem, errors };
  return new ApiError(e.status, problem, e.retryAfter);
}

/** A scope's label in the UI language (the scope name when the server has none). */
export function scopeLabel(scopes: Scope[] | undefined, name: string, lang: Lang): string {
  const s = scopes?.find((x) => x.scope === name);
  if (!s) return name;
  return lang === 'en' ? s.en : s.zh_cn;
}

/** Where OpenID Connect clients discover the endpoints: this server's origin. */
export function discoveryUrl(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}
