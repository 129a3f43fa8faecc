/**
 * The records the web app shows, as the API defines them: every type here is read from the
 * generated OpenAPI types (api-schema.d.ts via api-types.ts), not written beside the server's.
 */
import type { ApiResponse, ApiRow } from './api-types';

export type Me = ApiResponse<'/me'>;
export type Account = ApiResponse<'/accounts/{id}'>;
export type Contact = ApiResponse<'/contacts/{id}'>;
export type Opportunity = ApiResponse<'/opportunities/{id}'>;
export type Activity = ApiResponse<'/activities/{id}'>;
export type Pipeline = ApiResponse<'/pipelines/{id}'>;
export type Stage = Pipeline['stages'][number];
export type CustomField = ApiResponse<'/custom-fields/{id}'>;
export type User = ApiResponse<'/users/{id}'>;
export type Region = ApiResponse<'/regions/{id}'>;
export type Team = ApiResponse<'/teams/{id}'>;
/** Any record with a name, for lookups (users, regions, teams, accounts). */
export type Named = { id: string; name: string };
export type TimelineItem = ApiRow<'/accounts/{id}/timeline'>;
export type LineageItem = ApiRow<'/accounts/{id}/lineage'>;
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
