/** zh-CN problem messages of the graphql module (see messages.zh-CN.ts for the format). */
export const zhCNGraphqlMessages: Record<string, string> = {};
