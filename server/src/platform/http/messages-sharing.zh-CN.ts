/** zh-CN entries for the sharing messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNSharingMessages: Record<string, string> = {
  'You may view this record but not change it': '你只能查看这条记录，不能修改',
  'Only the owner, their managers and admins may share this record':
    '只有负责人、负责人的上级和管理员可以共享这条记录',
  'No such user or team': '没有这个用户或团队',
  'no such user in this organisation': '本组织中没有这个用户',
  'no such team in this organisation': '本组织中没有这个团队',
  'No such share on this record': '这条记录没有这项共享',
};
