import type { Locale } from '../../platform/http/locale.js';

/** Server-rendered sign-in and consent pages of the OAuth flow (no scripts: the CSP allows none). */

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const TEXT = {
  en: {
    signInTitle: 'Sign in to Zhongshu',
    signInLead: (app: string) => `${app} wants to connect to your Zhongshu account.`,
    email: 'Email',
    password: 'Password',
    tenant: 'Organisation (only if you belong to several)',
    signIn: 'Sign in',
    continueAs: (name: string) => `Continue as ${name}`,
    wrong: 'Email or password is wrong.',
    ambiguous: 'You belong to several organisations: enter the one to sign in to.',
    throttled: (s: number) => `Too many attempts. Try again in ${s} seconds.`,
    consentTitle: 'Allow access?',
    consentLead: (app: string, user: string) => `${app} asks to act as ${user} and to:`,
    lacking: 'you do not hold this right: the app will not get it',
    allow: 'Allow',
    deny: 'Deny',
    note: 'The app never gets more than you may do yourself. You can disconnect it at any time.',
    errorTitle: 'Sign-in could not continue',
  },
  'zh-CN': {
    signInTitle: '登录中枢',
    signInLead: (app: string) => `「${app}」请求连接您的中枢账号。`,
    email: '邮箱',
    password: '密码',
    tenant: '所属企业（属于多个企业时填写）',
    signIn: '登录',
    continueAs: (name: string) => `以 ${name} 的身份继续`,
    wrong: '邮箱或密码错误。',
    ambiguous: '您属于多个企业，请填写要登录的企业。',
    throttled: (s: number) => `尝试次数过多，请 ${s} 秒后再试。`,
    consentTitle: '是否授权？',
    consentLead: (app: string, user: string) => `「${app}」请求以 ${user} 的身份：`,
    lacking: '您本人没有此权限，应用也不会获得',
    allow: '授权',
    deny: '拒绝',
    note: '应用获得的权限不会超过您本人的权限，您可以随时解除授权。',
    errorTitle: '无法继续登录',
  },
} as const;

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f8;margin:0;padding:40px 16px;color:#1f2329}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 12px}label{display:block;margin:12px 0 4px;font-size:14px}
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #ccd;border-radius:4px;font-size:15px}
button{margin-top:16px;padding:8px 18px;border-radius:4px;border:1px solid #1c7ed6;background:#1c7ed6;color:#fff;font-size:15px;cursor:pointer}
button.secondary{background:#fff;color:#1c7ed6}.error{color:#c92a2a}.muted{color:#666;font-size:13px}li{margin:6px 0}s{color:#999}
</style></head><body><main>${body}</main></body></html>`;
}

export interface LoginPage {
  uid: string;
  appName: string;
  sessionUserName?: string;
  error?: 'wrong' | 'ambiguous' | { throttled: number };
  email?: string;
}

export function loginPage(locale: Locale, p: LoginPage): string {
  const t = TEXT[locale];
  const error = !p.error
    ? ''
    : typeof p.error === 'object'
      ? t.throttled(p.error.throttled)
      : p.error === 'wrong'
        ? t.wrong
        : t.ambiguous;
  const action = `/oauth/interaction/${esc(p.uid)}/login`;
  const session = p.sessionUserName
    ? `<form method="post" action="${action}"><input type="hidden" name="use_session" value="1"><button type="submit">${esc(t.continueAs(p.sessionUserName))}</button></form><hr>`
    : '';
  return page(
    locale,
    t.signInTitle,
    `<h1>${esc(t.signInTitle)}</h1><p>${esc(t.signInLead(p.appName))}</p>${session}
<form method="post" action="${action}">
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<label for="email">${esc(t.email)}</label><input id="email" name="email" type="email" autocomplete="username" required value="${esc(p.email ?? '')}">
<label for="password">${esc(t.password)}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="tenant">${esc(t.tenant)}</label><input id="tenant" name="tenant" type="text">
<button type="submit">${esc(t.signIn)}</button></form>`,
  );
}

export interface ConsentPage {
  uid: string;
  appName: string;
  userName: string;
  scopes: { scope: string; label: string; held: boolean }[];
}

export function consentPage(locale: Locale, p: ConsentPage): string {
  const t = TEXT[locale];
  const items = p.scopes
    .map((s) =>
      s.held
        ? `<li>${esc(s.label)}</li>`
        : `<li><s>${esc(s.label)}</s> <span class="muted">(${esc(t.lacking)})</span></li>`,
    )
    .join('');
  const action = `/oauth/interaction/${esc(p.uid)}/confirm`;
  return page(
    locale,
    t.consentTitle,
    `<h1>${esc(t.consentTitle)}</h1><p>${esc(t.consentLead(p.appName, p.userName))}</p><ul>${items}</ul>
<p class="muted">${esc(t.note)}</p>
<form method="post" action="${action}"><button type="submit" name="decision" value="allow">${esc(t.allow)}</button>
<button type="submit" class="secondary" name="decision" value="deny">${esc(t.deny)}</button></form>`,
  );
}

export function errorPage(locale: Locale, message: string): string {
  const t = TEXT[locale];
  return page(locale, t.errorTitle, `<h1>${esc(t.errorTitle)}</h1><p class="error">${esc(message)}</p>`);
}
