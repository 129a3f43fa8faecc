/**
 * Optional rewrite of an intervention's talk track by an OpenAI-compatible chat endpoint (R-1.5).
 *
 * The bundle is always created from the rule's template; this runs afterwards, off the event relay,
 * and either replaces `talk_track` with the rewritten text or leaves the template in place and
 * records why. Nothing here ever throws into the caller.
 *
 * Where the provenance lives: `resources.talk_track` ({@link TalkTrackOrigin}). `talk_track` itself
 * is a text column, and `evidence` and `risk` are replaced whenever the rule fires again on an open
 * bundle — `resources` is the only jsonb of the bundle that a re-fire leaves alone, so the template
 * text and the "rewritten by" mark cannot be lost to a concurrent re-fire.
 *
 * What is sent to the endpoint (privacy): the rendered template text, the bundle's title and
 * "what changed" line (also rendered from the rule's templates), the account's name and industry,
 * the open opportunity's name and stage, the rule key and severity, and the numeric evidence
 * features (counts, baselines, rates, strengths). Raw signal payloads (`latest.*`), contacts,
 * e-mail addresses and phone numbers are never sent: the only contact details that can reach the
 * endpoint are those a rule's own template already puts into its text.
 *
 * Consent (R-5.5): when a person the bundle is about — the contact of an evidence signal, or a
 * contact of the account named in the template, title or "what changed" text — has withdrawn
 * consent to profiling (or their processing is restricted), nothing is sent: the bundle keeps its
 * template and `resources.talk_track` says why (`llm_error` starting "withheld").
 */

import { createRequire } from 'node:module';
import { and, eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type OpenAI from 'openai';
import { users } from '../../platform/auth/auth.schema.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import type { LlmConfig } from '../../platform/config.js';
import type { Database, Tx } from '../../platform/db/database.js';
import { createOutboundClient, type OutboundClient } from '../../platform/outbound-http/outbound-client.js';
import { OutboundBlockedError, OutboundError } from '../../platform/outbound-http/outbound-errors.js';
import { consentGateOf } from '../../platform/privacy/consent-gate.js';
import { tenants } from '../../platform/tenancy/tenancy.schema.js';
import { crmDirectory } from '../crm/crm-directory.service.js';
import { signalService } from '../signals/signals.service.js';
import { interventionService } from './interventions.service.js';

// Loaded on first use: most installs run without an LLM, and the client adds ~0.1 s to every start.
let openaiModule: typeof import('openai') | undefined;
const loadOpenAI = () => {
  openaiModule ??= createRequire(import.meta.url)('openai') as typeof import('openai');
  return openaiModule.OpenAI;
};

/** Stored at `resources.talk_track` once a rewrite was attempted; absent = template, never tried. */
export type TalkTrackOrigin =
  | { source: 'llm'; template_text: string; model: string; rewritten_at: string }
  | { source: 'template'; template_text: string; model: string; llm_error: string; attempted_at: string };

type ChatMessage = { role: 'system' | 'user'; content: string };

/** Rewrites run a few at a time; beyond this many waiting, new bundles keep their template. */
const CONCURRENCY = 4;
const MAX_QUEUED = 500;
/** One retry covers a blip (429, 5xx, reset); more would only delay the next bundle's rewrite. */
const MAX_RETRIES = 1;
const MAX_TOKENS = 1024;
/** A chat completion of MAX_TOKENS is a few KiB; anything near this is not an answer. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** A "concise" rewrite may be at most twice the template (but a short template may grow to 600). */
export function maxRewriteChars(template: string): number {
  return Math.max(600, 2 * template.length);
}

const LANGUAGE_NAMES: Record<string, string> = { 'zh-CN': '简体中文 (zh-CN)', en: 'English (en)' };

export function systemPrompt(locale: string, limit: number): string {
  const language = LANGUAGE_NAMES[locale] ?? LANGUAGE_NAMES['zh-CN'];
  return [
    '你是 B2B 销售团队的教练。请把用户给出的「话术模板」改写成销售代表可以直接使用的简洁话术。',
    'You coach a B2B sales team. Rewrite the given template talk track into a concise talk track the sales rep can use as is.',
    '规则 Rules:',
    '1. 保留模板中的全部事实，只使用下面给出的事实；绝不编造数字、金额、日期、人名、公司名或案例。',
    '   Keep every fact of the template and use only the facts given; never invent numbers, amounts, dates, names, companies or case studies.',
    `2. 简洁：最多 3 句，不超过 ${limit} 个字符。 Be concise: at most 3 sentences and ${limit} characters.`,
    `3. 使用 ${language} 回答。 Answer in ${language}.`,
    '4. 只输出改写后的话术本身，不要标题、解释或引号。 Output only the rewritten talk track: no heading, explanation or quotes.',
  ].join('\n');
}

interface BundleFacts {
  template: string;
  title: string;
  whatChanged: string | null;
  ruleKey: string;
  severity: string;
  account: { name: string; industry: string | null } | null;
  opportunity: { name: string; stage: string } | null;
  /** evidence.features without `latest` (raw payloads may name people). */
  features: Record<string, unknown>;
}

export function userMessage(f: BundleFacts): string {
  const lines = ['话术模板 Template talk track:', f.template, '', '背景 Context:'];
  if (f.account)
    lines.push(`- 客户 Account: ${f.account.name}${f.account.industry ? `（${f.account.industry}）` : ''}`);
  if (f.opportunity)
    lines.push(`- 商机 Opportunity: ${f.opportunity.name}（阶段 stage: ${f.opportunity.stage}）`);
  lines.push(`- 规则 Rule: ${f.ruleKey}，严重度 severity: ${f.severity}`);
  lines.push(`- 提醒 Alert: ${f.title}`);
  if (f.whatChanged) lines.push(`- 变化 What changed: ${f.whatChanged}`);
  const { latest: _payloads, ...numeric } = f.features;
  lines.push('', '证据（信号统计）Evidence (signal statistics):', JSON.stringify(numeric));
  return lines.join('\n');
}

/** Why a rewrite was not used, in words short enough to show and log. */
function failureReason(err: unknown, timeoutMs: number): string {
  const OpenAI = loadOpenAI();
  // Refused by the outbound client (e.g. a loopback endpoint not on ZHONGSHU_OUTBOUND_ALLOW).
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof OutboundBlockedError) return cause.message.slice(0, 300);
  if (err instanceof OpenAI.APIConnectionTimeoutError) return `timeout after ${timeoutMs} ms`;
  // The client's message starts with the status already ("500 model overloaded").
  if (err instanceof OpenAI.APIError && err.status)
    return `HTTP ${err.status}: ${err.message.replace(/^\d{3}\s*/, '')}`.slice(0, 300);
  if (err instanceof OpenAI.APIConnectionError)
    return `connection failed: ${cause instanceof OutboundError ? cause.message : err.message}`.slice(0, 300);
  return `${(err as Error)?.message ?? err}`.slice(0, 300);
}

class RewriteRejected extends Error {}

const rewriteContext = (tenantId: string) =>
  systemContext(tenantId, 'talk-track-rewrite', 'Zhongshu talk-track rewrite');

export class TalkTrackRewriter {
  private readonly client: OpenAI;
  private readonly queue: { tenantId: string; interventionId: string }[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly database: Database,
    private readonly llm: LlmConfig,
    private readonly log: FastifyBaseLogger,
    /** platform.outbound; without it, a client that reaches public addresses only. */
    outbound: OutboundClient = createOutboundClient(),
  ) {
    const OpenAI = loadOpenAI();
    this.client = new OpenAI({
      baseURL: llm.baseUrl,
      // Every request goes through the platform's outbound client (address checks, size cap).
      fetch: (url, init) =>
        outbound.fetch(url, { ...init, timeoutMs: llm.timeoutMs, maxBytes: MAX_RESPONSE_BYTES }),
      // Local servers (vLLM, Ollama) need no key, but the client insists on one.
      apiKey: llm.apiKey ?? 'not-needed',
      // Explicit nulls: the client would otherwise pick these up from OPENAI_* variables.
      organization: null,
      project: null,
      timeout: llm.timeoutMs,
      maxRetries: MAX_RETRIES,
      logLevel: 'off',
    });
  }

  /** Schedules a rewrite and returns at once: the event relay must never wait for the endpoint. */
  enqueue(tenantId: string, interventionId: string): void {
    if (this.shutdown.signal.aborted) return;
    if (this.queue.length >= MAX_QUEUED) {
      this.log.warn({ interventionId }, 'talk-track rewrite queue full; the bundle keeps its template text');
      return;
    }
    this.queue.push({ tenantId, interventionId });
    this.pump();
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.queue.length && !this.running.size) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts requests in flight, drops the queue, waits for running rewrites to finish. */
  async close(): Promise<void> {
    this.shutdown.abort();
    this.queue.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (this.running.size < CONCURRENCY && this.queue.length) {
      const next = this.queue.shift()!;
      const run: Promise<void> = this.rewrite(next.tenantId, next.interventionId)
        .catch((err) =>
          this.log.warn({ err, interventionId: next.interventionId }, 'talk-track rewrite failed'),
        )
        .finally(() => {
          this.running.delete(run);
          this.pump();
          if (!this.queue.length && !this.running.size) {
            for (const resolve of this.idleWaiters.splice(0)) resolve();
          }
        });
      this.running.add(run);
    }
  }

  /** Reads the bundle, asks the endpoint (no transaction open meanwhile), writes the outcome. */
  async rewrite(tenantId: string, interventionId: string): Promise<void> {
    const ctx = rewriteContext(tenantId);
    const prepared = await this.database.tenantTx(tenantId, (tx) =>
      this.prepare(tx, tenantId, interventionId),
    );
    if (!prepared) return;
    const { template, messages, withheld } = prepared;
    const model = this.llm.model;
    let origin: TalkTrackOrigin;
    let text: string | null = null;
    try {
      if (withheld) throw new RewriteRejected(withheld);
      text = await this.complete(messages, maxRewriteChars(template));
      origin = { source: 'llm', template_text: template, model, rewritten_at: new Date().toISOString() };
    } catch (err) {
      if (this.shutdown.signal.aborted) return; // the server is stopping: leave the bundle as it is
      const reason = failureReason(err, this.llm.timeoutMs);
      this.log.warn(
        { interventionId, model, reason },
        'talk-track rewrite failed; keeping the template text',
      );
      origin = {
        source: 'template',
        template_text: template,
        model,
        llm_error: reason,
        attempted_at: new Date().toISOString(),
      };
    }
    await this.database.tenantTx(tenantId, async (tx) => {
      const row = await interventionService.find(tx, ctx, interventionId, true);
      // Someone acted on the bundle, or it changed, while the endpoint was thinking: leave it.
      if (row?.status !== 'open' || row.talk_track !== template) return;
      const resources = (row.resources ?? {}) as Record<string, unknown>;
      if (resources.talk_track) return; // already done (events are delivered at least once)
      // Same write path as every other change: change_log row (actor = system, method llm:<model>) + event.
      await interventionService.update(
        tx,
        ctx,
        interventionId,
        { ...(text ? { talk_track: text } : {}), resources: { ...resources, talk_track: origin } },
        {
          method: `llm:${model}`,
          reason:
            origin.source === 'llm'
              ? 'talk track rewritten by the LLM endpoint; the template text is kept in resources.talk_track'
              : `talk-track rewrite failed (${origin.llm_error}); the template text stays`,
        },
      );
    });
  }

  private async prepare(tx: Tx, tenantId: string, interventionId: string) {
    const ctx = rewriteContext(tenantId);
    const row = await interventionService.find(tx, ctx, interventionId);
    if (row?.status !== 'open') return null;
    if ((row.resources as Record<string, unknown> | null)?.talk_track) return null;
    const directory = await crmDirectory(tx, ctx);
    const account = directory.accounts.get(String(row.account_id));
    const opportunity = row.opportunity_id
      ? directory.opportunities.get(String(row.opportunity_id))
      : undefined;
    const template = String(row.talk_track);
    const locale = await this.localeOf(tx, tenantId, row.owner_id as string | null);
    const evidence = (row.evidence ?? {}) as { features?: Record<string, unknown> };
    const whatChanged = ((row.risk ?? {}) as { what_changed?: string }).what_changed ?? null;
    // The people the bundle is about: the contacts of its evidence signals, and the account's
    // contacts its texts name. Without their consent to profiling nothing is sent.
    const signals = await signalService.findMany(tx, ctx, (row.signal_ids as string[] | null) ?? []);
    const people = new Set(
      [...signals.values()].map((s) => s.contact_id).filter((id) => typeof id === 'string'),
    );
    const texts = [template, String(row.title), whatChanged ?? ''].join('\n');
    for (const c of directory.contacts.values())
      if (c.account_id === row.account_id && c.name && texts.includes(c.name)) people.add(c.id);
    const denied = await consentGateOf(tx).denied(tx, tenantId, [...people], 'profiling');
    const withheld = denied.size
      ? `withheld: ${denied.size} person(s) in this alert have not consented to profiling, so nothing was sent to the LLM`
      : null;
    const messages: ChatMessage[] = [
      { role: 'system', content: systemPrompt(locale, maxRewriteChars(template)) },
      {
        role: 'user',
        content: userMessage({
          template,
          title: String(row.title),
          whatChanged,
          ruleKey: String(row.rule_key),
          severity: String(row.severity),
          account: account ? { name: account.name, industry: account.industry } : null,
          opportunity: opportunity ? { name: opportunity.name, stage: opportunity.stage } : null,
          features: evidence.features ?? {},
        }),
      },
    ];
    return { template, messages, withheld };
  }

  /** The rep's language, else the tenant's, else zh-CN. */
  private async localeOf(tx: Tx, tenantId: string, ownerId: string | null): Promise<string> {
    if (ownerId) {
      const [u] = await tx
        .select({ locale: users.locale })
        .from(users)
        .where(and(eq(users.tenant_id, tenantId), eq(users.id, ownerId)));
      if (u?.locale) return u.locale;
    }
    const [t] = await tx
      .select({ locale: tenants.default_locale })
      .from(tenants)
      .where(eq(tenants.id, tenantId));
    return t?.locale ?? 'zh-CN';
  }

  private async complete(messages: ChatMessage[], limit: number): Promise<string> {
    const res = await this.client.chat.completions.create(
      { model: this.llm.model, messages, temperature: 0.3, max_tokens: MAX_TOKENS },
      { signal: this.shutdown.signal },
    );
    const choice = res.choices?.[0];
    const text = (choice?.message?.content ?? '').trim();
    if (!text) throw new RewriteRejected('empty output');
    if (choice?.finish_reason === 'length') throw new RewriteRejected('output cut off at the token limit');
    if (text.length > limit)
      throw new RewriteRejected(`output too long (${text.length} > ${limit} characters)`);
    return text;
  }
}
