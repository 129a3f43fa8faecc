import { systemContext } from '../../platform/auth/auth-context.js';
import type { PersonalDataProvider, PersonalDataSection } from '../../platform/privacy/personal-data.js';
import {
  anonymiseCasesOfContact,
  type CaseKind,
  type CaseState,
  casesOfContact,
} from './sovereignty-cases.service.js';
import { consentsOf, eraseConsentData } from './sovereignty-consent.service.js';
import { portalPersonalData } from './sovereignty-portal.service.js';

const KIND_LABELS: Record<CaseKind, { en: string; zh: string }> = {
  access: { en: 'Access request', zh: '查阅申请' },
  rectification: { en: 'Correction request', zh: '更正申请' },
  erasure: { en: 'Deletion request', zh: '删除申请' },
  restriction: { en: 'Restriction request', zh: '限制处理申请' },
  portability: { en: 'Data copy request', zh: '数据转移申请' },
  withdrawal: { en: 'Withdrawal of consent', zh: '撤回同意' },
  objection: { en: 'Objection', zh: '拒绝处理' },
};

const STATE_LABELS: Record<CaseState, { en: string; zh: string }> = {
  received: { en: 'Received', zh: '已受理' },
  verifying: { en: 'Verifying identity', zh: '核实身份中' },
  in_progress: { en: 'In progress', zh: '处理中' },
  waiting_on_requester: { en: 'Waiting for your reply', zh: '等待您的答复' },
  completed: { en: 'Completed', zh: '已办结' },
  rejected: { en: 'Declined', zh: '未予办理' },
  withdrawn: { en: 'Withdrawn', zh: '已撤回' },
};

/**
 * What the sovereignty module itself holds about a person: the portal's preferences, sign-ins and
 * sessions; their consent decisions; their privacy requests. Erased with them: preferences,
 * sign-ins, sessions and consent history go; the requests stay as the record that the request was
 * handled, without the person's words.
 */
export const sovereigntyPersonalData: PersonalDataProvider = {
  async collect(tx, subject, opts) {
    const consents = await consentsOf(tx, subject.tenantId, subject.contactId);
    const recorded = consents.filter((c) => c.basis === 'recorded');
    const cases = await casesOfContact(tx, subject.tenantId, subject.contactId);
    const sections: PersonalDataSection[] = [
      ...(await portalPersonalData.collect(tx, subject, opts)),
      {
        kind: 'consents',
        label: { en: 'Consent decisions', zh: '授权记录' },
        total: recorded.length,
        records: recorded.map((c) => ({
          id: `${subject.contactId}:${c.purpose}`,
          title: `${c.label.zh} / ${c.label.en}`,
          at: c.at ?? undefined,
          fields: [
            {
              key: 'granted',
              label: { en: 'Granted', zh: '是否同意' },
              value: c.granted,
              lineage: [
                {
                  method: c.channel === 'portal' ? 'customer' : 'manual',
                  source: c.channel ?? 'staff',
                  actorName: c.actor_name,
                  at: c.at ?? '',
                  detail: c.notice_version ? `notice v${c.notice_version}` : undefined,
                },
              ],
            },
          ],
        })),
      },
      {
        kind: 'privacy_requests',
        label: { en: 'Privacy requests', zh: '个人信息请求' },
        total: cases.length,
        records: cases.slice(0, opts.limit).map((c) => ({
          id: c.id,
          title: `${KIND_LABELS[c.kind].zh} / ${KIND_LABELS[c.kind].en}`,
          at: c.received_at,
          fields: [
            {
              key: 'state',
              label: { en: 'State', zh: '状态' },
              value: STATE_LABELS[c.state],
              lineage: [{ method: 'manual', source: c.channel, at: c.received_at }],
            },
          ],
        })),
      },
    ];
    return sections;
  },
  async erase(tx, subject, opts) {
    const portal = await portalPersonalData.erase(tx, subject, opts);
    const consents = await eraseConsentData(tx, subject.tenantId, subject.contactId);
    const cases = await anonymiseCasesOfContact(
      tx,
      systemContext(subject.tenantId, 'privacy:erasure'),
      subject.contactId,
    );
    return [
      ...portal,
      ...consents,
      {
        table: 'privacy_cases',
        action: 'anonymised',
        rows: cases,
        reason:
          'the request is kept as proof that it was handled (kind, dates, outcome), without the person’s words',
      },
    ];
  },
};
