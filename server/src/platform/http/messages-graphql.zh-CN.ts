/** zh-CN problem messages of the graphql module (see messages.zh-CN.ts for the format). */
export const zhCNGraphqlMessages: Record<string, string> = {
  'Invalid input': '输入无效',
  'Invalid argument first': '参数 first 无效',
  'between 1 and {0}': '应在 1 到 {0} 之间',
  'The query is nested {0} levels deep; at most {1} are allowed': '查询嵌套了 {0} 层，最多允许 {1} 层',
  'The query would cost {0}; at most {1} is allowed (ask for fewer records with first, or fewer nested connections)':
    '查询成本为 {0}，最多允许 {1}（请用 first 减少记录数，或减少嵌套的连接）',
  'Send GraphQL requests as POST': '请用 POST 发送 GraphQL 请求',
};
