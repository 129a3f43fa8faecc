/** zh-CN problem messages of the webhooks module (see messages.zh-CN.ts for the format). */
export const zhCNWebhooksMessages: Record<string, string> = {
  'an http:// or https:// address': '须为 http:// 或 https:// 开头的地址',
  'Unknown event type': '事件类型不存在',
  'not an event this server publishes: {0}': '系统不会发出这些事件：{0}',
  'The condition is not valid JsonLogic': '触发条件不是有效的 JsonLogic 表达式',
  'not a JsonLogic expression': '不是 JsonLogic 表达式',
  'Events are kept {0} days': '事件只保留 {0} 天',
  'no earlier than {0}': '不能早于 {0}',
};

/** Record labels of the webhooks module (notFound(…) arguments). */
export const zhCNWebhooksTerms: Record<string, string> = {
  'Webhook endpoint': 'Webhook 地址',
  'Webhook delivery': 'Webhook 推送记录',
};
