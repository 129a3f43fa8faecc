/** zh-CN entries for the records messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNRecordsMessages: Record<string, string> = {};
