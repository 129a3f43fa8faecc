import type { DataSubject } from './personal-data.js';

/**
 * The strings that identify a person without doubt (issue 13 review item 1): their e-mail addresses
 * and phone numbers of 7 or more digits, never their name. What a person sees about themself (the
 * portal and the export) is the records linked to their contact plus the records that carry one of
 * these; a name is not proof (two people share 陈杰, and a customer can write any name they like).
 */
export function identifierNeedles(s: Pick<DataSubject, 'emails' | 'phones'>): string[] {
  const out = new Set<string>();
  for (const e of s.emails) {
    const t = e.trim().toLowerCase();
    if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(t)) out.add(t);
  }
  for (const p of s.phones) {
    const t = p.trim();
    const digits = t.replace(/\D/g, '');
    if (digits.length < 7) continue;
    out.add(digits);
    if (t.length >= 7) out.add(t);
    // A mainland number stored with its country code is written without it in text.
    if (/^86\d{11}$/.test(digits)) out.add(digits.slice(2));
  }
  return [...out].sort((a, b) => b.length - a.length);
}
