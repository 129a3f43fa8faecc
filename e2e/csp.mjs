// Content-Security-Policy in the browser: every `securitypolicyviolation` event and every
// "Refused to …" console error Chromium reports is collected; the walk over the main pages fails
// on any (and run.mjs fails the whole run if any page of any test had one).
import assert from 'node:assert/strict';
import { login } from './lib.mjs';

/** Collects CSP violations of every page of the browser context, from the first script on. */
export async function watchCsp(context) {
  const violations = [];
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) =>
        console.error(
          `[csp-violation] ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile || location.pathname}:${e.lineNumber}`,
        ),
      true,
    );
  });
  const onPage = (page) =>
    page.on('console', (msg) => {
      const text = msg.text();
      if (
        msg.type() === 'error' &&
        (text.startsWith('[csp-violation]') || /Content Security Policy/i.test(text))
      )
        violations.push(`${page.url()}: ${text.slice(0, 300)}`);
    });
  for (const p of context.pages()) onPage(p);
  context.on('page', onPage);
  return {
    violations,
    /** Prints the violations; returns how many (0 = the run passes this check). */
    report() {
      if (violations.length)
        console.log(`CSP violations:\n  ${[...new Set(violations)].slice(0, 20).join('\n  ')}`);
      return violations.length;
    },
  };
}

/**
 * A test: log in (in a context of its own) and walk login, accounts list, an account page, the
 * board, the inbox, the forecast and admin; fails on any CSP violation, and checks the policy is
 * really sent (a page without one would pass trivially).
 */
export function cspWalk({ browser, base, api }) {
  return async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    const csp = await watchCsp(context);
    try {
      const page = await context.newPage();
      const res = await page.goto(`${base}/login`);
      const policy = res?.headers()['content-security-policy'] ?? '';
      assert.match(policy, /script-src 'self'/);
      assert.match(policy, /frame-ancestors 'none'/);
      await login(page, base);
      const account = (await api.call('/accounts?limit=1')).data[0];
      const pages = [
        ['/accounts', 'new-record'],
        [`/accounts/${account.id}`, null],
        ['/opportunities/board', null],
        ['/inbox', null],
        ['/forecast', null],
        ['/admin', null],
        ['/docs', null],
      ];
      for (const [path, testId] of pages) {
        await page.goto(`${base}${path}`);
        if (testId) await page.getByTestId(testId).first().waitFor();
        await page.waitForLoadState('networkidle');
        // Charts and lazy parts render a moment after the data arrives.
        await page.waitForTimeout(300);
      }
      assert.deepEqual(csp.violations, []);
    } finally {
      await context.close();
    }
  };
}
