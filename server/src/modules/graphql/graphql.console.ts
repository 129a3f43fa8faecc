/**
 * The query console at GET /graphql outside production: a small page of our own (yoga's GraphiQL
 * loads from a CDN, which the CSP and offline installs do not allow). Its script is served from
 * /graphql/console.js (script-src 'self'); requests go with the session cookie, same origin.
 */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zhongshu GraphQL console</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;display:grid;grid-template-columns:1fr 1fr;grid-template-rows:auto 1fr 8rem;height:100vh}
header{grid-column:1/3;padding:.5rem 1rem;border-bottom:1px solid #ddd;display:flex;gap:1rem;align-items:center}
textarea,pre{font:13px ui-monospace,monospace;margin:0;padding:.75rem;border:0;border-right:1px solid #ddd;resize:none;overflow:auto}
#query{grid-row:2}#variables{grid-row:3;border-top:1px solid #ddd}#result{grid-row:2/4;grid-column:2;background:#fafafa}
</style></head><body>
<header><strong>GraphQL console</strong><button id="run" type="button">Run (Ctrl+Enter)</button>
<span>Signed in with your session. Schema: <a href="/graphql/schema.graphql">schema.graphql</a> · docs/api.md</span></header>
<textarea id="query" spellcheck="false">query Deals {
  opportunities(first: 10, sort: UPDATED_AT_DESC) {
    nodes { name stage amount account { name } owner { name } latestPrediction { probability method modelVersion } }
    pageInfo { hasNextPage endCursor }
  }
}</textarea>
<textarea id="variables" spellcheck="false">{}</textarea>
<pre id="result"></pre>
<script src="/graphql/console.js"></script>
</body></html>`;

export const CONSOLE_JS = `(() => {
  const q = document.getElementById('query');
  const v = document.getElementById('variables');
  const out = document.getElementById('result');
  async function run() {
    let variables = {};
    try { variables = JSON.parse(v.value || '{}'); } catch (e) { out.textContent = 'Variables are not JSON: ' + e.message; return; }
    out.textContent = '…';
    const res = await fetch('/graphql', { method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: q.value, variables }) });
    out.textContent = JSON.stringify(await res.json(), null, 2);
  }
  document.getElementById('run').addEventListener('click', run);
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
})();
`;
