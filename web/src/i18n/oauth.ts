/** The oauth screens' texts: en and zh-CN side by side (zh-CN must have the same keys; the type checks it). */
const en = { tab: 'Apps' };
type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
const zhCN: Widen<typeof en> = { tab: 'OAuth 应用' };
export const oauthI18n = { en, zhCN };
