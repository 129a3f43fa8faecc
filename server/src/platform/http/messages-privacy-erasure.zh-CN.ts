/** zh-CN problem messages of the privacy erasure and export (see messages.zh-CN.ts for the format). */
export const zhCNPrivacyErasureMessages: Record<string, string> = {
  'This person asked for their data to be erased; a privacy manager must lift the block first':
    '此人已申请删除个人信息，需由隐私管理员解除限制后才能重新录入',
  'belongs to an erased person': '属于已删除个人信息的联系人',
  'The export is not ready yet, or it has expired': '导出文件尚未生成，或已过期',
  'Only a privacy manager may carry out an erasure': '只有隐私管理员可以执行删除',
  'Enter an e-mail address': '请输入邮箱地址',
  'No erased person has this e-mail address': '没有使用该邮箱的已删除联系人',
  'not blocked': '未被限制',
  'The export could not be built; try again.': '导出失败，请重试。',
};

/** Record labels of the privacy erasure and export (notFound(…) arguments). */
export const zhCNPrivacyErasureTerms: Record<string, string> = {
  Export: '导出文件',
  Erasure: '删除记录',
};
