import type { Tx } from '../db/database.js';

/**
 * A person the product holds data about (R-5.1): a contact and the identifiers that find them in
 * free text, payloads and other systems' copies. Built by the sovereignty module from the contact
 * record; every module's provider looks the person up by these, never by reading crm tables.
 */
export interface DataSubject {
  tenantId: string;
  contactId: string;
  /** Lower-cased e-mail addresses (the contact's, plus any a request proved). */
  emails: string[];
  /** Phone numbers as stored and digits-only. */
  phones: string[];
  /** Full names as written (e.g. 王芳, Fang Wang): matched in free text. */
  names: string[];
  /**
   * Longer names of OTHER contacts of the tenant that contain one of `names` (erasing 王芳 while
   * 王芳芳 exists): left intact wherever they appear.
   */
  protectedNames?: string[];
  /**
   * Names of the subject that another contact of the tenant bears exactly (two 陈杰): used only in
   * rows linked to the person; free-text mentions elsewhere are left for a person to review.
   */
  sharedNames?: string[];
}

/** A text in both UI languages (the portal shows the reader's; exports write both). */
export interface LocalText {
  en: string;
  zh: string;
}

/** Where a datum came from, in words a person can check: the portal renders it. */
export interface DatumLineage {
  /** manual | import | ai_extracted | computed | sync | seed | customer | rule | model | llm */
  method: string;
  /** ui | api | import:csv | portal | webform | signal:<source> | … */
  source: string;
  actorName?: string | null;
  at: string;
  /** Method detail: 'model win-v3', 'rule 招标公告 v2', 'LLM qwen-max' …, or a label in both languages. */
  detail?: string | LocalText;
}

export interface PersonalDatum {
  key: string;
  label: { en: string; zh: string };
  value: unknown;
  lineage: DatumLineage[];
}

/** One thing held about the person: their profile, an activity, a signal, an insight … */
export interface PersonalRecord {
  id: string;
  /** What the record is: its own words (an activity's subject) or a label in both languages. */
  title: string | LocalText;
  at?: string;
  fields: PersonalDatum[];
}

export interface PersonalDataSection {
  /** profile | activities | signals | insights | interventions | quotas | consents | … */
  kind: string;
  label: { en: string; zh: string };
  records: PersonalRecord[];
  /** Total held when records were cut at the caller's limit. */
  total: number;
}

/** What an erasure did to one table (the proof report lists these). */
export interface ErasureOutcome {
  table: string;
  action: 'deleted' | 'anonymised' | 'retained';
  rows: number;
  /** Why a retained/anonymised tombstone had to stay (shown in the proof report). */
  reason?: string;
}

/**
 * A module's answer for the personal data it holds (declared in its module definition): what it
 * holds about a person, with lineage, and how it erases or anonymises it. The sovereignty module
 * calls every registered provider; no module reads another's tables.
 */
export interface PersonalDataProvider {
  collect(tx: Tx, subject: DataSubject, opts: { limit: number }): Promise<PersonalDataSection[]>;
  erase(tx: Tx, subject: DataSubject, opts: { erasureId: string }): Promise<ErasureOutcome[]>;
}

/** The providers of the mounted modules (filled by mountModules), in module order. */
export class PersonalDataRegistry {
  private readonly providers: { module: string; provider: PersonalDataProvider }[] = [];

  register(module: string, provider: PersonalDataProvider): void {
    this.providers.push({ module, provider });
  }

  list(): readonly { module: string; provider: PersonalDataProvider }[] {
    return this.providers;
  }
}
