export interface Me {
  id: string | null;
  name: string;
  email: string | null;
  role: string;
  tenant_id: string;
  tenant_name: string | null;
  locale: string | null;
  permissions: string[];
  /** "user" for a signed-in person (API keys have no password to change) */
  actor_type?: string;
}
export type Custom = Record<string, unknown>;
export interface Base {
  id: string;
  created_at: string;
  updated_at: string;
  custom?: Custom;
}
export interface Account extends Base {
  name: string;
  aliases: string[];
  domains: string[];
  credit_code: string | null;
  industry: string | null;
  region_id: string | null;
  size: string | null;
  employees: number | null;
  owner_id: string | null;
  tags: string[];
  website: string | null;
  phone: string | null;
  address: string | null;
  description: string | null;
  /** The caller's access when record-level sharing applies ('read': edit controls hidden). */
  access?: 'read' | 'edit';
}
export interface Contact extends Base {
  name: string;
  name_en: string | null;
  account_id: string | null;
  emails: string[];
  phones: string[];
  title: string | null;
  department: string | null;
  committee_role: string | null;
  influence: number | null;
  stance: string | null;
  owner_id: string | null;
  tags: string[];
}
export interface Opportunity extends Base {
  name: string;
  account_id: string;
  pipeline_id: string;
  stage: string;
  status: 'open' | 'won' | 'lost';
  amount: number;
  currency: string;
  expected_close_date: string;
  probability: number;
  owner_id: string | null;
  team_id: string | null;
  region_id: string | null;
  closed_at: string | null;
  access?: 'read' | 'edit';
  [k: string]: unknown;
}
export interface Activity extends Base {
  type: string;
  subject: string;
  body: string | null;
  occurred_at: string;
  duration_minutes: number | null;
  status: string;
  account_id: string | null;
  opportunity_id: string | null;
  owner_id: string | null;
}
export interface Stage {
  key: string;
  name: string;
  name_en?: string;
  probability: number;
  kind: 'open' | 'won' | 'lost';
}
export interface Pipeline extends Base {
  name: string;
  is_default: boolean;
  stages: Stage[];
}
export interface CustomField extends Base {
  entity: string;
  key: string;
  label: string;
  label_en: string | null;
  type: 'text' | 'number' | 'date' | 'boolean' | 'select' | 'multiselect';
  options: string[];
  required: boolean;
}
export interface User extends Base {
  email: string;
  name: string;
  role: string;
  locale: string | null;
  team_id: string | null;
  region_id: string | null;
  manager_id: string | null;
  active: boolean;
}
export interface Named extends Base {
  name: string;
}
export interface TimelineItem {
  kind: string;
  id: string;
  at: string;
  title: string;
  summary?: string | null;
  actor_name?: string | null;
  source?: string | null;
  data?: Record<string, unknown>;
}
export interface LineageItem {
  field: string;
  value: unknown;
  source: string;
  method: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  confidence: number | null;
  at: string;
}
export const COMMITTEE_ROLES = [
  'technical',
  'procurement',
  'finance',
  'legal',
  'esg',
  'executive',
  'user',
] as const;
export const ALL_COMMITTEE_ROLES = [...COMMITTEE_ROLES, 'other'] as const;
export const STANCES = ['champion', 'supporter', 'neutral', 'skeptic', 'blocker'] as const;
export const ACTIVITY_TYPES = ['call', 'meeting', 'email', 'visit', 'note', 'task'] as const;
export const ACTIVITY_STATUSES = ['planned', 'done', 'cancelled'] as const;
export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP', 'SGD'] as const;
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
