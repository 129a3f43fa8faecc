/** The privacy screens' texts: en and zh-CN side by side (zh-CN must have the same keys; the type checks it). */
const en = {
  title: 'privacy',
  tabCases: 'Requests',
};
const zhCN: typeof en = {
  title: 'privacy',
  tabCases: '请求',
};
export const privacyI18n = { en, zhCN };
