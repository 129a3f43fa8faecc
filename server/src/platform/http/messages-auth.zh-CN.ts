/** zh-CN entries for the auth messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNAuthMessages: Record<string, string> = {
  // grants: nobody hands out more rights than they hold
  'Only an administrator can make someone an administrator': '只有管理员才能把别人设为管理员',
  'You cannot grant rights you do not hold yourself': '不能授予超出你自己权限范围的权限',
  'includes rights you do not hold: {0}': '包含你自己没有的权限：{0}',
  'You cannot change a user who holds rights you do not have': '该用户的权限比你高，你不能修改这个用户',
  'An organisation needs at least one active administrator': '组织里至少要保留一位启用中的管理员',
  'this is the last active administrator': '这是最后一位启用中的管理员',
  // login throttle and password change
  'Too many failed sign-in attempts; try again in {0} seconds': '登录失败次数太多，请 {0} 秒后再试',
  'Only a signed-in user can change their own password': '只有登录的用户本人才能修改自己的密码',
  'The current password is wrong': '当前密码不正确',
  'No such manager in this organisation': '本组织中没有这位上级',
  'choose a user of this organisation': '请选择本组织的用户',
  'Nobody can report to themselves, also not through others':
    '不能设置为自己的上级，也不能通过下属间接汇报给自己',
  'choose someone who is not below this user': '请选择不在该用户下属链条中的人',
  'does not match': '与当前密码不一致',
};
