/** zh-CN problem messages of the oauth module (see messages.zh-CN.ts for the format). */
export const zhCNOauthMessages: Record<string, string> = {
  'Invalid redirect URI': '回调地址无效',
  'not an absolute URI': '不是完整的地址',
  'must not contain a fragment (#)': '不能包含 #',
  'http is only allowed for localhost': '只有 localhost 可以使用 http',
  'must be https (http only for localhost)': '必须使用 https（localhost 可用 http）',
  'A public app needs at least one redirect URI': '公开应用至少需要一个回调地址',
  'at least one': '至少一个',
  'A public app has no secret': '公开应用没有密钥',
  'public apps use PKCE instead of a secret': '公开应用使用 PKCE，不使用密钥',
  'Rate limit reached: {0} requests per minute': '请求过于频繁：每分钟最多 {0} 次',
  'retry in {0} s': '请 {0} 秒后重试',
};

/** Record labels of the oauth module (notFound(…) arguments). */
export const zhCNOauthTerms: Record<string, string> = {
  App: '应用',
};
