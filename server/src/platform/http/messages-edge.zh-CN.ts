/** zh-CN entries for the edge messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNEdgeMessages: Record<string, string> = {
  // input checks at the edge (edge-guard.ts)
  'must not contain a NUL character (\\u0000)': '不能包含空字符（\\u0000）',
  'must not contain an unpaired surrogate (not valid Unicode)':
    '包含无法识别的字符（不是有效的 Unicode 文本）',
  'Request body is nested too deeply': '请求体的嵌套层级太深',
  'more than {0} levels of nesting': '嵌套超过 {0} 层',
  // request size limits
  'Request body is larger than {0} bytes': '请求体超过 {0} 字节的上限',
  'A signal payload is larger than {0} bytes': '信号的 payload 超过 {0} 字节的上限',
  '{0} bytes, more than {1}': '{0} 字节，超过上限 {1}',
  // content types and cross-site requests (csrf.ts)
  'Send the request body as application/json (or no body and no Content-Type)':
    '请求体请使用 application/json 格式（没有请求体时不要带 Content-Type）',
  'application/json': '只接受 application/json',
  'Cross-site request refused: it does not come from this server':
    '已拒绝跨站请求：该请求不是从本系统页面发出的',
  'must be this server (same origin)': '必须来自本系统（同源）',
  // /metrics
  'The metrics token is missing or wrong': '监控指标令牌缺失或不正确',
};
