/**
 * Roles (SPEC) and what each may do — checked in one place (requirePermission).
 * API keys carry a role and optional scopes; a key with scopes may do only the
 * intersection of its role's permissions and its scopes.
 */
export const ROLES = [
  'rep',
  'manager',
  'regional_manager',
  'presales',
  'csm',
  'marketing',
  'coach',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'crm:read',
  'crm:write',
  'crm:delete',
  'crm:import',
  'crm:export',
  'crm:merge', // merge duplicate accounts/contacts and undo merges (records the caller may edit)
  'users:read',
  'users:manage',
  'settings:manage', // pipelines, custom fields, products catalogue
  'api_keys:manage',
  'audit:read',
  'signals:write',
  'signals:read',
  'signals:manage',
  'interventions:read',
  'interventions:act',
  'interventions:sign_off',
  'predict:read',
  'predict:manage',
  'quotas:write', // set and delete sales quotas (reading them is predict:read)
  'webhooks:manage', // outbound webhook endpoints, their secrets and delivery log (admins)
  'apps:manage', // OAuth 2.0 / OIDC client apps and their tokens (admins)
  'mappings:manage', // low-code payload mappings and triggers (admins)
  'privacy:read', // the privacy case queue, consent dashboard and processing record
  'privacy:manage', // work privacy cases (verify, extend, erase), privacy notices, open a case for a person
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const everyone: Permission[] = [
  'crm:read',
  'users:read',
  'signals:read',
  'interventions:read',
  'predict:read',
];
const fieldWork: Permission[] = [
  ...everyone,
  'crm:write',
  'crm:export',
  'crm:merge',
  'signals:write',
  'interventions:act',
];
const management: Permission[] = [
  ...fieldWork,
  'crm:delete',
  'crm:import',
  'audit:read',
  'interventions:sign_off',
  'predict:manage',
  'quotas:write',
  'privacy:read',
];

const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  rep: new Set(fieldWork),
  presales: new Set(fieldWork),
  csm: new Set(fieldWork),
  marketing: new Set([...fieldWork, 'crm:import']),
  coach: new Set([...everyone, 'crm:export', 'audit:read']),
  manager: new Set(management),
  regional_manager: new Set(management),
  admin: new Set(PERMISSIONS),
};

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}

export function permissionsOf(role: Role, scopes?: readonly string[] | null): Permission[] {
  const all = [...(ROLE_PERMISSIONS[role] ?? [])];
  if (!scopes || scopes.length === 0) return all;
  return all.filter((p) => scopes.includes(p));
}
