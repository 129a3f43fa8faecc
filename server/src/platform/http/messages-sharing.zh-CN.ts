/** zh-CN entries for the sharing messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNSharingMessages: Record<string, string> = {};
