/** zh-CN entries for the records messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNRecordsMessages: Record<string, string> = {
  // ---------- CRM field checks (phones, web addresses) ----------
  'not a valid phone number: enter a mobile number such as 13800138000, a landline with its area code such as 010-12345678, or an international number starting with + and the country code':
    '电话号码无效：请填写手机号（如 13800138000）、带区号的座机号（如 010-12345678），或以 + 加国家代码开头的国际号码',
  'only web addresses starting with http:// or https:// are accepted': '网址只能以 http:// 或 https:// 开头',
  'not a web address: enter one such as https://www.example.com':
    '网址无效，请填写类似 https://www.example.com 的网址',

  // ---------- CRM import: why a row was refused (crm-import.service.ts, crm-import-reasons.ts) ----------
  'no user with email or name "{0}"': '没有邮箱或姓名为“{0}”的用户',
  'no account named "{0}"': '没有名为“{0}”的客户',
  'unknown stage "{0}"; one of {1}': '没有“{0}”这个阶段，可选：{1}',
  'an account with this credit code already exists': '已有客户使用这个统一社会信用代码',
  'duplicate of an earlier row in this file': '与文件中前面的某一行重复',
  'must be yes or no': '必须填写“是”或“否”',
  'must be a date such as 2026-03-01': '必须是日期，例如 2026-03-01',
};
