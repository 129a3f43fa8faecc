import type { SovereigntyPart } from './sovereignty.part.js';
import { privacyCasesRoutes } from './sovereignty-cases.routes.js';
import { sweepCaseClocks } from './sovereignty-cases.service.js';

/**
 * The cases part of the sovereignty module: every privacy request is a case with identity
 * verification, a legal clock (GDPR one month, PIPL working days on the Chinese calendar) that
 * pauses while waiting on the requester, an assignee, deadline warnings and a full history.
 */
export const casesPart: SovereigntyPart = {
  publishes: [
    {
      name: 'privacy_cases.opened',
      when: 'a privacy request was received as a case (portal, phone, letter, email, staff); payload: the case with its due date',
      when_zh: '收到一件个人信息权利申请并立案（门户、电话、信函、邮件或员工代录），附法定期限',
    },
    {
      name: 'privacy_cases.state_changed',
      when: 'a case moved (verifying, in progress, waiting on the requester, completed, rejected, withdrawn); payload: from, to and the case',
      when_zh: '申请工单状态变化（核验身份、处理中、等待申请人、已完成、已驳回、已撤回），附变化前后状态',
    },
    {
      name: 'privacy_cases.due_soon',
      when: 'a case is 3 working days from its legal deadline, or due today (level: soon | today); the assignee or the privacy managers are mailed',
      when_zh: '申请工单临近法定期限（还剩 3 个工作日或今天到期），已邮件提醒处理人或隐私管理员',
    },
    {
      name: 'privacy_cases.overdue',
      when: 'a case passed its legal deadline unfinished; the assignee or the privacy managers are mailed',
      when_zh: '申请工单已超过法定期限仍未办结，已邮件提醒处理人或隐私管理员',
    },
    {
      name: 'privacy_cases.completed',
      when: 'a case was completed (an erasure with its proof report id)',
      when_zh: '申请工单已办结（删除申请附删除证明报告编号）',
    },
  ],
  jobs: [
    {
      queue: 'sovereignty.case-clocks',
      cron: '*/15 * * * *',
      description:
        'Warn about privacy cases near or past their legal deadline (3 working days before, on the day, overdue) by mail and events',
      run: (platform, data: { now?: string }) =>
        sweepCaseClocks(platform, data?.now ? new Date(data.now) : new Date()),
    },
  ],
  routes: privacyCasesRoutes,
};
