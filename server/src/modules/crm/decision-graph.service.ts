import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { accountService, activityService, contactService } from './crm.service.js';

/** Roles a B2B buying committee needs covered; legal and ESG are flagged only as optional gaps. */
export const CORE_ROLES = ['executive', 'technical', 'procurement', 'finance', 'user'] as const;
export const OPTIONAL_ROLES = ['legal', 'esg'] as const;
const ROLE_ZH: Record<string, string> = {
  executive: '决策层',
  technical: '技术',
  procurement: '采购',
  finance: '财务',
  user: '使用部门',
  legal: '法务',
  esg: 'ESG',
  other: '其他',
};

const member = z.object({
  contact_id: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  role: z.string().nullable(),
  influence: z.number().nullable(),
  stance: z.string().nullable(),
  preferences: z.array(z.string()),
  touchpoints: z.object({
    count: z.number(),
    last_at: z.string().nullable(),
    by_type: z.record(z.string(), z.number()),
  }),
});
export const decisionGraphSchema = z.object({
  account: z.object({ id: z.string(), name: z.string() }),
  members: z.array(member),
  by_role: z.record(z.string(), z.array(z.string())),
  missing_roles: z.array(z.string()),
  untouched_roles: z.array(z.string()),
  gaps: z.array(
    z.object({
      role: z.string(),
      kind: z.enum(['no_contact', 'no_touchpoint', 'optional_missing']),
      message: z.string(),
      message_zh: z.string(),
    }),
  ),
  coverage: z.number().describe('share of core roles with a contact that has been touched'),
});

export async function decisionGraph(tx: Tx, ctx: ActorContext, accountId: string) {
  const account = await accountService.get(tx, ctx, accountId);
  const contacts = (await contactService.list(tx, ctx, { account_id: accountId, limit: 500 })).data;
  const acts: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const p = await activityService.list(tx, ctx, {
      account_id: accountId,
      status: 'done',
      limit: 500,
      cursor,
    });
    acts.push(...p.data);
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  const members = contacts.map((c) => {
    const mine = acts.filter((a) => ((a.contact_ids as string[]) ?? []).includes(c.id as string));
    const byType: Record<string, number> = {};
    for (const a of mine) byType[String(a.type)] = (byType[String(a.type)] ?? 0) + 1;
    const last = mine.reduce<number | null>(
      (m, a) => Math.max(m ?? 0, new Date(a.occurred_at as Date | string).getTime()),
      null,
    );
    return {
      contact_id: c.id as string,
      name: c.name as string,
      title: (c.title as string) ?? null,
      role: (c.committee_role as string) ?? null,
      influence: (c.influence as number) ?? null,
      stance: (c.stance as string) ?? null,
      preferences: (c.preferences as string[]) ?? [],
      touchpoints: {
        count: mine.length,
        last_at: last ? new Date(last).toISOString() : null,
        by_type: byType,
      },
    };
  });
  members.sort((a, b) => (b.influence ?? 0) - (a.influence ?? 0));
  const byRole: Record<string, string[]> = {};
  for (const m of members) (byRole[m.role ?? 'other'] ??= []).push(m.contact_id);
  const missing = CORE_ROLES.filter((r) => !byRole[r]?.length);
  const untouched = CORE_ROLES.filter(
    (r) => byRole[r]?.length && members.filter((m) => m.role === r).every((m) => m.touchpoints.count === 0),
  );
  const gaps = [
    ...missing.map((r) => ({
      role: r,
      kind: 'no_contact' as const,
      message: `No ${r} contact in the buying committee yet`,
      message_zh: `尚无${ROLE_ZH[r]}角色联系人`,
    })),
    ...untouched.map((r) => ({
      role: r,
      kind: 'no_touchpoint' as const,
      message: `No contact with ${r} yet`,
      message_zh: `尚未接触${ROLE_ZH[r]}`,
    })),
    ...OPTIONAL_ROLES.filter((r) => !byRole[r]?.length).map((r) => ({
      role: r,
      kind: 'optional_missing' as const,
      message: `No ${r} contact (optional)`,
      message_zh: `暂无${ROLE_ZH[r]}联系人（可选）`,
    })),
  ];
  const covered = CORE_ROLES.filter((r) =>
    members.some((m) => m.role === r && m.touchpoints.count > 0),
  ).length;
  return {
    account: { id: account.id as string, name: account.name as string },
    members,
    by_role: byRole,
    missing_roles: missing as string[],
    untouched_roles: untouched as string[],
    gaps,
    coverage: Math.round((covered / CORE_ROLES.length) * 100) / 100,
  };
}
