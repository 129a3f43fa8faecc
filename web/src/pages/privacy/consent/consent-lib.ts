/** Types and query keys of the consent screens (the shapes of /api/v1/privacy/* and /contacts/{id}/consents). */

export type Text = { en: string; zh: string };
export type Purpose = 'marketing_email' | 'profiling' | 'partner_sharing' | 'call_recording';
export const PURPOSES: Purpose[] = ['marketing_email', 'profiling', 'partner_sharing', 'call_recording'];

export interface Notice {
  id: string;
  version: number;
  title_zh: string;
  title_en: string;
  text_zh: string;
  text_en: string;
  status: 'draft' | 'published';
  published_at: string | null;
  published_by_name: string | null;
  created_by_name: string | null;
  created_at: string;
  updated_at: string;
}

export interface RatePoint {
  week: string;
  granted: number;
  withdrawn: number;
  rate: number | null;
}

export interface Dashboard {
  weeks: string[];
  purposes: {
    purpose: Purpose;
    label: Text;
    requires_consent: boolean;
    current: { granted: number; decided: number; rate: number | null };
    points: RatePoint[];
  }[];
  contributions: { week: string; corrections: number; preferences: number }[];
  totals: { corrections: number; preferences: number; restricted: number };
  current_notice: Notice | null;
}

export interface ProcessingRecord {
  generated_at: string;
  notice_version: number | null;
  data_subjects: Text;
  activities: {
    purpose: string;
    label: Text;
    description: Text;
    legal_basis: Text;
    consent: 'opt_in' | 'opt_out' | 'not_required';
    data_categories: Text[];
    recipients: Text[];
    retention: Text;
    enforced_at: string[];
  }[];
}

export interface ConsentState {
  purpose: Purpose;
  label: Text;
  description: Text;
  granted: boolean;
  basis: 'recorded' | 'default';
  requires_consent: boolean;
  notice_version_id: string | null;
  notice_version: number | null;
  channel: 'portal' | 'staff' | 'import' | 'webform' | null;
  actor_name: string | null;
  at: string | null;
}

export interface ConsentEvent {
  id: string;
  purpose: Purpose;
  granted: boolean;
  notice_version: number | null;
  channel: 'portal' | 'staff' | 'import' | 'webform';
  actor_name: string | null;
  note: string | null;
  at: string;
}

export interface Restriction {
  id: string;
  reason: string;
  set_by_name: string | null;
  set_at: string;
  lifted_at: string | null;
}

export interface ContactConsents {
  data: ConsentState[];
  history: ConsentEvent[];
  restriction: Restriction | null;
}

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
