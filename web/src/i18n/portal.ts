/** The portal screens' texts: en and zh-CN side by side (zh-CN must have the same keys; the type checks it). */
const en = {
  title: 'portal',
};
const zhCN: typeof en = {
  title: 'portal',
};
export const portalI18n = { en, zhCN };
