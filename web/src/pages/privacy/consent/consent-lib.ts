import type { ApiResponse, ApiRow } from '../../../lib/api-types';

/** Types and query keys of the consent screens (the shapes of /api/v1/privacy/* and /contacts/{id}/consents). */

export type Text = { en: string; zh: string };
export type Purpose = 'marketing_email' | 'profiling' | 'partner_sharing' | 'call_recording';
export const PURPOSES: Purpose[] = ['marketing_email', 'profiling', 'partner_sharing', 'call_recording'];

/** The shapes of the consent routes, from the server's OpenAPI document. */
export type Notice = ApiRow<'/privacy/notices'>;
export type Dashboard = ApiResponse<'/privacy/dashboard'>;
/** The JSON form (the route also answers CSV). */
export type ProcessingRecord = Exclude<ApiResponse<'/privacy/processing-record'>, string>;
export type ContactConsents = ApiResponse<'/contacts/{id}/consents'>;
export type ConsentState = ContactConsents['data'][number];

export const consentKeys = {
  all: ['privacy', 'consent'] as const,
  dashboard: (weeks: number) => ['privacy', 'consent', 'dashboard', weeks] as const,
  notices: ['privacy', 'consent', 'notices'] as const,
  processing: ['privacy', 'consent', 'processing'] as const,
  contact: (id: string) => ['privacy', 'consent', 'contact', id] as const,
};

/** The text of a bilingual value in the UI's language. */
export const pick = (v: Text, lang: 'en' | 'zh-CN') => (lang === 'en' ? v.en : v.zh);

/** A series colour per purpose (stable across the charts and cards). */
export const PURPOSE_COLOURS: Record<Purpose, string> = {
  marketing_email: '#1c7ed6',
  profiling: '#7048e8',
  partner_sharing: '#f08c00',
  call_recording: '#2f9e44',
};
