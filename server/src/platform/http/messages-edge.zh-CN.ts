/** zh-CN entries for the edge messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNEdgeMessages: Record<string, string> = {};
