/** zh-CN problem messages of the customer portal (sovereignty module; see messages.zh-CN.ts for the format). */
export const zhCNPortalMessages: Record<string, string> = {
  'Too many sign-in requests: wait a few minutes, then ask for a new code':
    '登录请求过于频繁，请稍等几分钟后再重新获取验证码',
  'retry in {0} min': '请 {0} 分钟后重试',
  'The code is wrong or has expired: check the latest mail or ask for a new code':
    '验证码错误或已过期，请查看最新一封邮件，或重新获取验证码',
  'wrong or expired code': '验证码错误或已过期',
  'The code was entered wrongly too many times: ask for a new code': '验证码输错次数过多，请重新获取验证码',
  'too many wrong codes': '输错次数过多',
  'This sign-in link has expired or was already used: ask for a new code':
    '该登录链接已过期或已使用，请重新获取验证码',
  'expired or used link': '链接已过期或已使用',
  'Your portal session has ended: sign in with your e-mail again': '您的登录已失效，请用邮箱重新登录',
  'sign in to the portal': '请先登录门户',
  'Choose the organisation first': '请先选择机构',
  'choose an organisation': '请选择机构',
  'the 6 digits from the mail': '请填写邮件中的 6 位数字验证码',
  'Choose the language we should write to you in': '请选择我们与您沟通时使用的语言',
  'Choose one of: zh-CN, en': '请选择：简体中文（zh-CN）或英文（en）',
  'Your name cannot be empty': '姓名不能为空',
  'The corrected value is not valid': '更正后的内容格式不正确',
  'Enter an email address, such as name@example.com': '请填写有效的邮箱地址，如 name@example.com',
  'Not a valid id': 'ID 无效',
  Required: '必填',
};

/** Record labels of the portal (notFound(…) arguments). */
export const zhCNPortalTerms: Record<string, string> = {
  Organisation: '机构',
  'Data export': '数据导出',
};
