import { zhCNAuthMessages } from './messages-auth.zh-CN.js';
import { zhCNCrmMergeMessages } from './messages-crm-merge.zh-CN.js';
import { zhCNEdgeMessages } from './messages-edge.zh-CN.js';
import { zhCNGraphqlMessages } from './messages-graphql.zh-CN.js';
import { zhCNMappingsMessages, zhCNMappingsTerms } from './messages-mappings.zh-CN.js';
import { zhCNOauthMessages, zhCNOauthTerms } from './messages-oauth.zh-CN.js';
import { zhCNPortalMessages, zhCNPortalTerms } from './messages-portal.zh-CN.js';
import { zhCNPrivacyCasesMessages, zhCNPrivacyCasesTerms } from './messages-privacy-cases.zh-CN.js';
import { zhCNPrivacyConsentMessages, zhCNPrivacyConsentTerms } from './messages-privacy-consent.zh-CN.js';
import { zhCNPrivacyErasureMessages, zhCNPrivacyErasureTerms } from './messages-privacy-erasure.zh-CN.js';
import { zhCNRecordsMessages } from './messages-records.zh-CN.js';
import { zhCNSharingMessages } from './messages-sharing.zh-CN.js';
import { zhCNWebhooksMessages, zhCNWebhooksTerms } from './messages-webhooks.zh-CN.js';

/**
 * Chinese (zh-CN) catalogue of the API's problem messages, gettext style: the English text the
 * code throws is the key, so call sites stay plain English and need no message ids. `{0}`, `{1}` …
 * stand for the dynamic parts of a template string (`Cannot sort by ${key}` → `Cannot sort by {0}`),
 * in the order they appear. In a translation `{n}` puts the value back verbatim (keys, ids,
 * numbers: what the caller sends stays as sent) and `{term:n}` puts it back through zhCNTerms below
 * (record labels, statuses, roles). messages.test.ts fails when a string thrown in server/src has
 * no entry here.
 */
export const zhCNMessages: Record<string, string> = {
  ...zhCNAuthMessages,
  ...zhCNEdgeMessages,
  ...zhCNRecordsMessages,
  ...zhCNSharingMessages,
  ...zhCNGraphqlMessages,
  ...zhCNWebhooksMessages,
  ...zhCNCrmMergeMessages,
  ...zhCNMappingsMessages,
  ...zhCNOauthMessages,
  ...zhCNPortalMessages,
  ...zhCNPrivacyCasesMessages,
  ...zhCNPrivacyConsentMessages,
  ...zhCNPrivacyErasureMessages,
  // ---------- titles (one per status) ----------
  'Bad Request': '请求无效',
  Unauthorized: '需要登录',
  Forbidden: '无权访问',
  'Not Found': '未找到',
  'Method Not Allowed': '不支持该请求方法',
  Conflict: '操作冲突',
  'Content Too Large': '内容过大',
  'Unsupported Media Type': '不支持的内容类型',
  'Unprocessable Content': '数据无法处理',
  'Too Many Requests': '请求过于频繁',
  'Internal Server Error': '服务器内部错误',
  Error: '错误',

  // ---------- platform: http ----------
  'Invalid {0}': '{term:0}无效',
  'Request body is not valid JSON': '请求体不是有效的 JSON',
  'Request body is empty': '请求体为空',
  'A record with the same unique value already exists': '已存在具有相同唯一值的记录',
  'already exists': '已存在',
  'A referenced record does not exist': '引用的记录不存在',
  'no such record in this tenant': '本租户中没有这条记录',
  'A value has the wrong format': '某个值的格式不正确',
  'Something went wrong on our side; it has been logged.': '服务器出错了，我们已记录此问题。',
  'No route {0} {1}': '没有这个接口：{0} {1}',
  'Authentication required': '请先登录',
  'You do not have permission for this action': '无权执行此操作',
  'Your role ({0}) lacks the permission {1}': '你的角色（{term:0}）没有 {1} 权限',
  'Resource not found': '未找到该记录',
  '{0} not found': '未找到{term:0}',

  // ---------- platform: records (lists, cursors, filters, deletes) ----------
  'Invalid cursor': '无效的分页游标',
  'not a cursor returned by this API': '不是本接口返回的游标',
  'Cannot sort by {0}': '不能按 {0} 排序',
  'one of: {0} (prefix - for descending)': '可选：{0}（加前缀 - 表示降序）',
  'Invalid filter {0}': '筛选条件 {0} 无效',
  invalid: '无效',
  'Unknown filter {0}': '未知的筛选条件 {0}',
  'not a filter of this list': '此列表不支持该筛选条件',
  '{0} is still referenced by other records; delete or move them first':
    '{term:0}仍被其他记录引用，请先删除或移走这些记录',

  // ---------- platform: auth ----------
  'This email belongs to several organisations; say which one': '该邮箱属于多个组织，请指定要登录的组织',
  'required for this email': '此邮箱必须指定组织',
  'Wrong email or password': '邮箱或密码错误',

  // ---------- crm ----------
  'Some referenced records do not exist': '部分引用的记录不存在',
  'no such {0}': '不存在该{term:0}',
  'Some custom field values are invalid': '部分自定义字段的值无效',
  'no such custom field': '没有这个自定义字段',
  required: '必填',
  'No such pipeline': '销售流程不存在',
  'no such pipeline': '没有这个销售流程',
  'the tenant has no pipeline yet': '本租户还没有销售流程',
  'Unknown stage': '未知的阶段',
  'one of: {0}': '可选：{0}',
  'Stages still in use cannot be removed': '仍在使用的阶段不能删除',
  'opportunities are in: {0}': '以下阶段中仍有商机：{0}',
  'Select fields need options': '选择类字段需要设置选项',
  'at least one option': '至少需要一个选项',
  'entity and key cannot change': '对象类型和键不能修改',
  'create a new field instead': '请改为新建一个字段',

  // ---------- crm: import ----------
  'Old .xls files are not supported; save as .xlsx or CSV': '不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV',
  'use .xlsx or .csv': '请使用 .xlsx 或 .csv 文件',
  'The file is empty': '文件为空',
  'no header row': '没有表头行',
  'empty or not base64': '内容为空或不是 base64 编码',
  'At most {0} rows per import': '每次最多导入 {0} 行',
  'too many rows': '行数过多',
  'The file is not a readable .xlsx workbook': '文件不是可读取的 .xlsx 工作簿',
  'corrupt or not xlsx': '文件已损坏或不是 xlsx 格式',
  'The workbook has no sheet': '工作簿中没有工作表',
  'no sheet': '没有工作表',
  'The sheet is empty': '工作表为空',
  'The column mapping names unknown fields': '列映射中有未知的字段',
  'unknown field {0}': '未知字段 {0}',
  'The column mapping names columns the file does not have': '列映射中有文件里不存在的列',
  'no such column': '没有这一列',

  // ---------- signals ----------
  'At most {0} signals per request': '每次请求最多 {0} 条信号',
  'got {0}': '收到 {0} 条',
  'No such account': '客户不存在',
  'no such account in this tenant': '本租户中没有这个客户',
  'An override needs a reason': '手动覆盖评分需要填写理由',
  'required with override_score': '设置 override_score 时必填',
  'Built-in type': '内置类型',
  'a built-in type already has this key': '已有内置类型使用这个键',
  'key cannot change': '键不能修改',
  'create a new type instead': '请改为新建一个类型',
  'No signals in the request': '请求中没有信号',
  'Webhook signature is missing, invalid or too old': 'Webhook 签名缺失、无效或已过期',
  'The column mapping cannot produce signals': '按这个列映射无法生成信号',
  'no such column in the file': '文件中没有这一列',
  'unknown field {0} (use {1}, payload.<key> or ignore)':
    '未知字段 {0}（可用：{1}、payload.<key> 或 ignore）',
  '{0} is already mapped from {1}': '{0} 已由列 {1} 映射',
  'no column is mapped to type': '没有列映射到 type',
  'no column is mapped to occurred_at': '没有列映射到 occurred_at',
  'map a column to source or give a default source': '请把一列映射到 source，或指定默认来源',
  'map a column to one of {0}': '请把一列映射到以下之一：{0}',

  // ---------- predict: quotas ----------
  'Invalid quotas': '配额数据无效',
  'Some quotas cannot be stored; nothing was stored': '部分配额无法保存，本次未保存任何配额',
  'no such {0} in this tenant': '本租户中没有这个{term:0}',
  'the same period and scope as item {0}': '与序号 {0} 的条目周期和范围重复',

  // ---------- interventions ----------
  'Only managers may see other people’s interventions': '只有经理可以查看他人的干预建议',
  'This intervention is addressed to someone else': '这条干预建议是发给其他人的',
  'A brief is per person': '简报按人生成',
  'me or a user id': '填写 me、team（团队汇总）或用户 ID',
  'Only managers see the team’s brief': '只有经理可以查看团队简报',
  'A rule with this key exists': '已存在使用这个键的规则',
  'The intervention is already {0}': '这条干预建议已处理，当前状态：{term:0}',
  'Accept or dismiss the intervention before recording its outcome': '请先采纳或忽略这条干预建议，再记录结果',
  'Nothing to sign off: sign-off status is {0}': '无需审批：当前审批状态为{term:0}',
  'A strategy cannot be signed off by the person who proposed it': '策略不能由提出人本人审批',

  // ---------- custom messages in request schemas (zod `error` / `message`) ----------
  'a date as YYYY-MM-DD': '日期，格式为 YYYY-MM-DD',
  'not an email address': '不是有效的邮箱地址',
  'must be an account id': '必须是客户 ID',
  'must not be negative': '不能为负数',
  'an ISO date-time, e.g. 2026-03-01T09:30:00+08:00': 'ISO 日期时间，例如 2026-03-01T09:30:00+08:00',
  'lowercase letters, digits and _': '只能包含小写字母、数字和 _',
  'lowercase letters, digits and _, starting with a letter': '只能包含小写字母、数字和 _，并以字母开头',
  'a pipeline needs at least two stages': '销售流程至少需要两个阶段',
  'a snake_case type key': '类型键须为 snake_case 格式',
  'a reason is required': '请填写理由',
  'write the basis of the decision (≥ 10 characters)': '请写明决策依据（至少 10 个字符）',
  'at least 8 characters': '至少 8 个字符',
  'must be a number': '必须是数字',
  'must be true or false': '必须是 true 或 false',
  'must be a date YYYY-MM-DD': '必须是 YYYY-MM-DD 格式的日期',
  'must be one of: {0}': '必须是以下之一：{0}',
  'each must be one of: {0}': '每一项都必须是以下之一：{0}',
  'must be text': '必须是文本',
  'not a domain name like example.com': '不是有效的域名（例如 example.com）',
  'not a valid unified social credit code (18 characters with a correct check digit)':
    '不是有效的统一社会信用代码（18 位且校验位正确）',
  'not a phone number': '不是有效的电话号码',
  'stage keys must be unique': '阶段键不能重复',
  'needs a won and a lost stage': '需要一个赢单阶段和一个输单阶段',
  'not a valid JsonLogic expression': '不是有效的 JsonLogic 表达式',
  'name at least one of account_id, contact_id, opportunity_id, domain, email, credit_code, company_name':
    '请至少提供 account_id、contact_id、opportunity_id、domain、email、credit_code、company_name 之一',
  'YYYY-MM for a month or YYYY-Qn for a quarter': '月份写作 YYYY-MM，季度写作 YYYY-Qn',
  'a month as YYYY-MM': '月份，格式为 YYYY-MM',
  'a quarter as YYYY-Qn (n = 1…4)': '季度，格式为 YYYY-Qn（n = 1…4）',
  'must be ≥ 0': '必须 ≥ 0',
  'YYYY-MM': '格式为 YYYY-MM',
  'a 3-letter currency code such as CNY': '3 位字母的货币代码，例如 CNY',
  "must be 'all' for scope total": "范围为 total 时必须是 'all'",
  'the {0} id is required': '必须提供{term:0} ID',

  // ---------- zod's own English, for services that pass on issue.message as text ----------
  // (Request validation renders zod issues with zod's zh-CN locale directly; these cover the few
  // services that keep only the English message string.)
  'Invalid input': '无效输入',
  'Invalid input: expected {0}, received {1}': '无效输入：期望 {0}，实际接收 {1}',
  'Invalid input: expected {0}': '无效输入：期望 {0}',
  'Invalid option: expected one of {0}': '无效选项：期望以下之一 {0}',
  'Too big: expected {0} to be {1}': '数值过大：期望 {0} {1}',
  'Too small: expected {0} to be {1}': '数值过小：期望 {0} {1}',
  'Too big: expected {0} to have {1} {2}': '过长：期望 {0} {1} {term:2}',
  'Too small: expected {0} to have {1} {2}': '过短：期望 {0} {1} {term:2}',
};

/**
 * Words that fill `{term:n}` slots: record labels (`notFound('Account')`, ResourceService labels),
 * statuses, roles and request parts. A value not listed here is shown as it is.
 */
export const zhCNTerms: Record<string, string> = {
  ...zhCNWebhooksTerms,
  ...zhCNMappingsTerms,
  ...zhCNOauthTerms,
  ...zhCNPortalTerms,
  ...zhCNPrivacyCasesTerms,
  ...zhCNPrivacyConsentTerms,
  ...zhCNPrivacyErasureTerms,
  // record labels (notFound(label), "{0} is still referenced …")
  Resource: '记录',
  Account: '客户',
  Contact: '联系人',
  Opportunity: '商机',
  Activity: '活动',
  Product: '产品',
  Pipeline: '销售流程',
  'Custom field': '自定义字段',
  Region: '区域',
  Team: '团队',
  User: '用户',
  Signal: '信号',
  'Signal source': '信号源',
  'Signal type': '信号类型',
  Source: '信号源',
  Intervention: '干预建议',
  Rule: '规则',
  Model: '模型',
  Prediction: '预测',
  'Lead score': '线索评分',
  'Import job': '导入任务',
  Quota: '配额',
  // referenced records ("no such {0}")
  account: '客户',
  contact: '联系人',
  opportunity: '商机',
  user: '用户',
  region: '区域',
  team: '团队',
  product: '产品',
  // intervention and sign-off statuses
  open: '待处理',
  accepted: '已采纳',
  dismissed: '已忽略',
  not_required: '无需审批',
  pending: '待审批',
  approved: '已审批通过',
  rejected: '已驳回',
  // roles ("Your role ({0}) …")
  rep: '销售代表',
  manager: '销售经理',
  regional_manager: '区域经理',
  presales: '售前工程师',
  csm: '客户成功',
  marketing: '市场',
  coach: '小组教练',
  admin: '管理员',
  // request parts ("Invalid {0}")
  body: '请求体',
  querystring: '查询参数',
  params: '路径参数',
  headers: '请求头',
  // zod's English format names ("Invalid {0}" from a service's issue.message)
  'email address': '邮箱地址',
  UUID: 'UUID',
  'ISO date': 'ISO 日期',
  'ISO datetime': 'ISO 日期时间',
  'ISO time': 'ISO 时间',
  URL: 'URL',
  // zod's English size units
  characters: '个字符',
  items: '项',
};
