import { PERMISSIONS, type Permission } from '../../platform/auth/permissions.js';

/** OpenID Connect scopes every app may ask for besides the API permissions. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/**
 * The API scopes: the same permission names API keys carry (`crm:read`, …). A token holds the
 * intersection of its scopes and what the granting user's role holds, checked at every request.
 */
export const API_SCOPES: readonly Permission[] = PERMISSIONS;

/** The resource server our access tokens are for (RFC 8707 resource indicator). */
export const API_RESOURCE = 'urn:zhongshu:api';

type Label = { en: string; 'zh-CN': string };

/** Each scope in business words, for the consent screen and the admin page. */
export const SCOPE_LABELS: Record<(typeof OIDC_SCOPES)[number] | Permission, Label> = {
  openid: { en: 'Know who you are', 'zh-CN': '识别您的身份' },
  profile: { en: 'See your name and language', 'zh-CN': '查看您的姓名和语言' },
  email: { en: 'See your email address', 'zh-CN': '查看您的邮箱' },
  offline_access: { en: 'Stay connected when you are away', 'zh-CN': '离线时保持连接' },
  'crm:read': { en: 'Read accounts, contacts and opportunities', 'zh-CN': '读取客户、联系人、商机' },
  'crm:write': {
    en: 'Create and edit accounts, contacts and opportunities',
    'zh-CN': '新建和修改客户、联系人、商机',
  },
  'crm:delete': { en: 'Delete CRM records', 'zh-CN': '删除客户资料' },
  'crm:import': { en: 'Import CRM records in bulk', 'zh-CN': '批量导入客户资料' },
  'crm:export': { en: 'Export CRM records', 'zh-CN': '导出客户资料' },
  'crm:merge': { en: 'Merge duplicate accounts and contacts', 'zh-CN': '合并重复的客户和联系人' },
  'users:read': { en: 'See your colleagues', 'zh-CN': '查看同事名单' },
  'users:manage': { en: 'Manage users and roles', 'zh-CN': '管理用户和角色' },
  'settings:manage': {
    en: 'Change pipelines, custom fields and products',
    'zh-CN': '修改销售流程、自定义字段和产品',
  },
  'api_keys:manage': { en: 'Manage API keys', 'zh-CN': '管理 API 密钥' },
  'audit:read': { en: 'Read the audit log', 'zh-CN': '查看操作日志' },
  'signals:write': { en: 'Send customer signals', 'zh-CN': '写入客户信号' },
  'signals:read': { en: 'Read customer signals', 'zh-CN': '读取客户信号' },
  'signals:manage': { en: 'Manage signal sources and rules', 'zh-CN': '管理信号来源和规则' },
  'interventions:read': { en: 'Read suggested actions', 'zh-CN': '查看跟进建议' },
  'interventions:act': { en: 'Accept or dismiss suggested actions', 'zh-CN': '采纳或忽略跟进建议' },
  'interventions:sign_off': { en: 'Sign off suggested actions', 'zh-CN': '审批跟进建议' },
  'predict:read': { en: 'Read win rates and forecasts', 'zh-CN': '查看赢单率和业绩预测' },
  'predict:manage': { en: 'Retrain prediction models', 'zh-CN': '管理预测模型' },
  'quotas:write': { en: 'Set sales quotas', 'zh-CN': '设置销售指标' },
  'webhooks:manage': { en: 'Manage webhook subscriptions', 'zh-CN': '管理 Webhook 订阅' },
  'apps:manage': { en: 'Manage connected apps', 'zh-CN': '管理接入应用' },
  'mappings:manage': { en: 'Manage data mappings and triggers', 'zh-CN': '管理数据映射和触发条件' },
  'privacy:read': { en: 'See privacy requests and consent figures', 'zh-CN': '查看个人信息请求和授权统计' },
  'privacy:manage': {
    en: 'Handle privacy requests and privacy notices',
    'zh-CN': '处理个人信息请求，管理隐私声明',
  },
};

export function scopeLabel(scope: string, locale: 'en' | 'zh-CN'): string {
  const l = (SCOPE_LABELS as Record<string, Label | undefined>)[scope];
  return l ? l[locale] : scope;
}

export function isApiScope(scope: string): scope is Permission {
  return (API_SCOPES as readonly string[]).includes(scope);
}
