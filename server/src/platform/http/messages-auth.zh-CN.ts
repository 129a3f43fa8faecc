/** zh-CN entries for the auth messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNAuthMessages: Record<string, string> = {};
