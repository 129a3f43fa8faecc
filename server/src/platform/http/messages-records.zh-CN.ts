/** zh-CN entries for the records messages, merged into zhCNMessages (same rules as messages.zh-CN.ts). */
export const zhCNRecordsMessages: Record<string, string> = {
  // ---------- CRM field checks (phones, web addresses) ----------
  'not a valid phone number: enter a mobile number such as 13800138000, a landline with its area code such as 010-12345678, or an international number starting with + and the country code':
    '电话号码无效：请填写手机号（如 13800138000）、带区号的座机号（如 010-12345678），或以 + 加国家代码开头的国际号码',
  'only web addresses starting with http:// or https:// are accepted': '网址只能以 http:// 或 https:// 开头',
  'not a web address: enter one such as https://www.example.com':
    '网址无效，请填写类似 https://www.example.com 的网址',
};
