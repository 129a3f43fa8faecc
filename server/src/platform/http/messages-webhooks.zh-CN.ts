/** zh-CN problem messages of the webhooks module (see messages.zh-CN.ts for the format). */
export const zhCNWebhooksMessages: Record<string, string> = {};
