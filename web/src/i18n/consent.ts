/** The consent screens' texts: en and zh-CN side by side (zh-CN must have the same keys; the type checks it). */
const en = {
  title: 'consent',
  tabDashboard: 'Consent',
  tabNotices: 'Privacy notices',
  tabProcessing: 'Processing record',
};
const zhCN: typeof en = {
  title: 'consent',
  tabDashboard: '授权统计',
  tabNotices: '隐私声明',
  tabProcessing: '处理活动记录',
};
export const consentI18n = { en, zhCN };
