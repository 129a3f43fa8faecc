/** zh-CN problem messages of CRM duplicate checks and merges (see messages.zh-CN.ts for the format). */
export const zhCNCrmMergeMessages: Record<string, string> = {
  'A record cannot be merged into itself': '不能把记录合并到它自己',
  'must differ from survivor_id': '不能与保留的记录相同',
  'Some fields cannot be picked': '有些字段不能选择',
  'not a field of this record': '这条记录没有这个字段',
  'no such account': '客户不存在',
  'no such contact': '联系人不存在',
  'Merge not found': '找不到这次合并',
  'This merge was already undone': '这次合并已经撤销过了',
  'The record that stayed has since been merged into another record: undo that later merge first':
    '保留的那条记录之后又被合并到了别的记录里，请先撤销后面那次合并',
  'merged into another record after this merge': '在这次合并之后又被合并到了别的记录',
  'A merge can be undone for {0} days only': '合并只能在 {0} 天内撤销',
  'the time to undo this merge has passed': '已过撤销期限',
  'Only its owner, their managers or someone who may delete records may merge this record away':
    '只有这条记录的负责人、其上级或有删除权限的人才能把它合并掉',
  'needs crm:delete or ownership of the merged record': '需要删除权限，或是被合并记录的负责人',
  'This {0} was just merged into another record': '这个{term:0}刚刚已被合并到另一条记录',
  'already merged into another record': '已被合并到另一条记录',
  'These records were being merged or changed at the same time; please try again':
    '这几条记录正被别人同时合并或修改，请稍后再试',
};
