/** zh-CN texts of the mappings module: problem messages and the per-field mapping errors (see messages.zh-CN.ts). */
export const zhCNMappingsMessages: Record<string, string> = {
  'The expression cannot be read near character {0}: {1}': '表达式写法有误（第 {0} 个字符附近）：{1}',
  'The expression failed on this payload: {0}': '按这份数据计算出错：{0}',
  'The expression took too long or nested too deeply': '表达式计算太久或嵌套太深，请简化',
  'Required: map a value to this field': '必填：请为这个字段设置取值',
  'Map at least one of account ID, contact ID, opportunity ID, domain, email, credit code or company name':
    '请至少映射一项：客户 ID、联系人 ID、商机 ID、域名、邮箱、信用代码或公司名称',
  'Not a field of this target': '目标里没有这个字段',
  'The trigger condition is not valid JsonLogic: {0}': '触发条件无效：{0}',
  'Must be an object (e.g. {"key": value})': '须为对象，例如 {"key": 值}',
  'Unknown signal type {0}': '信号类型 {0} 不存在',
  'The record could not be stored': '记录未能保存',
  'This source already uses another mapping': '这个来源已在使用另一套字段映射',
  'one mapping per source': '每个来源只能用一套映射',
  'The draft maps no field': '草稿还没有映射任何字段',
  'map at least one field': '请至少映射一个字段',
  'The draft has errors on its sample': '草稿在样例数据上有错误',
  'The mapping has no active version': '这套映射还没有启用的版本',
  'activate the draft first, or test the draft': '请先启用草稿，或直接试运行草稿',
  'skipped: the trigger condition is not met': '已跳过：不满足触发条件',
  'No such source': '来源不存在',
  'Give a target or a definition_id': '请指定映射目标或映射定义',
};

/** Record labels of the mappings module (notFound(…) arguments). */
export const zhCNMappingsTerms: Record<string, string> = {
  Mapping: '字段映射',
  'Mapping version': '映射版本',
  'Signal source': '信号来源',
};
