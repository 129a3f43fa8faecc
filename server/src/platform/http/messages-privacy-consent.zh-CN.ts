/** zh-CN problem messages of consent, privacy notices and restrictions (see messages.zh-CN.ts for the format). */
export const zhCNPrivacyConsentMessages: Record<string, string> = {
  'Unknown purpose': '授权用途不存在',
  'one of {0}': '只能是以下之一：{0}',
  'A published privacy notice cannot be changed: create a new version':
    '已发布的隐私政策不能修改，请新建一个版本',
  'This privacy notice version is already published': '该版本隐私政策已发布',
  'A newer version is already published: create a new version instead': '已有更新的版本发布，请新建一个版本',
  'Not a published privacy notice of this organisation': '不是本企业已发布的隐私政策版本',
  'a published notice version': '请选择已发布的隐私政策版本',
  'No privacy notice is published yet: publish one before recording consent':
    '尚未发布隐私政策，请先发布后再登记授权',
  'Processing of this person is not restricted': '该联系人的个人信息目前未被限制处理',
  'No lead score: this person has withdrawn consent to profiling, or processing is restricted':
    '无线索评分：该联系人已撤回画像与 AI 评分授权，或其个人信息已被限制处理',
  'Only privacy staff may record a consent from a form or an import':
    '只有隐私管理人员才能登记来自官网表单或批量导入的授权',
  'record what the person told you with channel staff': '客户当面或电话告知的授权，请按“员工登记”渠道记录',
};

/** Record labels of consent (notFound(…) arguments). */
export const zhCNPrivacyConsentTerms: Record<string, string> = {
  'Privacy notice': '隐私政策',
};
