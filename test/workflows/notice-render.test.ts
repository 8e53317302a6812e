import { renderNotice } from '@duban/activities';
import { buildTaskInput } from '@duban/client';
import type { Notice, RungNotice } from '@duban/common';
import { rebasePlan } from '@duban/plan';
import { DUBAN_TASK_QUEUE, taskWorkflowId, type TaskWorkflowInput } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { seedPlanPerFile, startTimeSkipping, workflowBundle } from '../harness';
import { DAY, HOUR, MemoryActivities } from './fixtures';

// From the seed plan to the words people read: tasks launched from the plan as an
// operator would, left unacknowledged until the ladder reaches the 督办单, their notices
// rendered as the notifier renders them (no options: the notice carries the plan's zone,
// language and issuer).

let env: TestWorkflowEnvironment;
const memory = new MemoryActivities();
const plan = seedPlanPerFile();

beforeAll(async () => {
  env = await startTimeSkipping();
  await workflowBundle();
});

afterAll(async () => {
  await env?.teardown();
});

const ZONE = 'Asia/Shanghai';
/** Independent of the render step: luxon's own formatting of a local date and time in the plan's zone. */
const zhTime = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toFormat('yyyy年M月d日 HH:mm');
const zhDay = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toFormat('yyyy年M月d日');
const enDay = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).setLocale('en-US').toFormat('d MMM yyyy');

const noticesOf = (input: TaskWorkflowInput): Notice[] => memory.notices(taskWorkflowId(input.planId, input.taskNumber));

describe('a seed-plan task left unacknowledged until its 督办单', () => {
  let zhInput: TaskWorkflowInput;
  let enInput: TaskWorkflowInput;
  let assignedAt: string;
  let campaignYear: number;

  beforeAll(async () => {
    const nowMs = await env.currentTimeMs();
    campaignYear = DateTime.fromMillis(nowMs, { zone: ZONE }).year;
    // Rebased to this year: task 3 and task 5 are due at the end of next year.
    const launched = rebasePlan(plan(), campaignYear);
    const at = DateTime.fromMillis(nowMs, { zone: ZONE });
    assignedAt = at.toUTC().toISO() ?? '';
    // No search attributes on the time-skipping server.
    zhInput = { ...buildTaskInput(launched, 3, { assignedAt: at }), searchAttributes: false };
    enInput = { ...buildTaskInput(launched, 5, { assignedAt: at, lang: 'en' }), searchAttributes: false };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: DUBAN_TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: memory.activities,
    });
    await worker.runUntil(async () => {
      for (const input of [zhInput, enInput]) {
        await env.client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
          taskQueue: DUBAN_TASK_QUEUE,
          workflowId: taskWorkflowId(input.planId, input.taskNumber),
          args: [input],
        });
      }
      // Acknowledgement window 3 days, then 催办 after 3 more, then 督办单 after 7: day 13.
      await env.sleep(13 * DAY + 12 * HOUR);
    });
  });

  test('the launch gives the task its plan’s zone, language and issuer', () => {
    expect(zhInput).toMatchObject({
      timeZone: ZONE,
      lang: 'zh',
      issuer: { headquarters: { zh: '城市建管十大提升行动指挥部' }, office: { zh: '指挥部办公室', en: 'Headquarters office' } },
    });
    expect(enInput.lang).toBe('en');
  });

  test('the workflow sends each notice with the facts the words need: when, the lead unit, the deadline, the plan’s settings', () => {
    const notices = noticesOf(zhInput);
    expect(notices.map((n) => n.kind)).toEqual(['assignment', 'reminder', 'supervision-notice']);
    const supervision = notices[2] as RungNotice;
    expect(supervision).toMatchObject({
      level: 2,
      ordinal: 1,
      reasons: ['unacknowledged'],
      assignedAt,
      task: { planId: 'xihu-2020', taskNumber: 3, primaryLead: 'chengguan', deadlineAt: new Date(zhInput.deadlineAt).toISOString() },
      settings: { timeZone: ZONE, lang: 'zh', issuer: zhInput.issuer },
      names: { units: { chengguan: '城管办' }, unitsEn: { chengguan: 'Urban Management Office (hosts the HQ office)' } },
    });
    // Issued 13 days after assignment; the reply is due when the 约谈 would follow, 7 days on.
    const issuedAfter = Date.parse(supervision.at ?? '') - Date.parse(assignedAt);
    expect(issuedAfter).toBeGreaterThanOrEqual(13 * DAY);
    expect(issuedAfter).toBeLessThan(13 * DAY + HOUR);
    expect(Date.parse(supervision.replyBy ?? '') - Date.parse(supervision.at ?? '')).toBe(7 * DAY);
  });

  test('the 督办单 reads as a formal notice in Chinese: number, issuer, addressee, reasons, reply deadline, deadline and date', () => {
    const supervision = noticesOf(zhInput)[2] as RungNotice;
    const issued = supervision.at ?? '';
    const { subject, text } = renderNotice(supervision);
    expect(subject).toBe('【督办单】任务3「河湖水环境整治」');
    const lines = text.split('\n');
    expect(lines.slice(0, 5)).toEqual(['城市建管十大提升行动指挥部', '督办单', `督办〔${DateTime.fromISO(issued, { zone: ZONE }).year}〕3-1号`, '', '城管办：']);
    expect(lines).toContain(`1. 交办后未按时签收（${zhDay(assignedAt)}交办）`);
    // Task 3 is due by the end of next year (stored as the following 1 January 00:00): said as 12月31日.
    expect(lines).toContain(
      `请于${zhTime(supervision.replyBy ?? '')}前书面报送滞后原因和整改措施，确保于${campaignYear + 1}年12月31日前办结；逾期仍未改善的，将按程序升级督办。`,
    );
    expect(lines.slice(-2)).toEqual(['指挥部办公室', zhDay(issued)]);
    expect(text).not.toMatch(/chengguan|\d{4}-\d{2}-\d{2}T/);
  });

  test('the assignment asks the units to acknowledge by a local time and finish by the local day', () => {
    const [assignment] = noticesOf(zhInput);
    const { text } = renderNotice(assignment as Notice);
    expect(text).toContain('牵头单位：城管办（协助：城建办）');
    expect(text).toContain('兰宫路社区、示例社区甲');
    expect(text).toContain(`请于${zhTime(new Date(Date.parse(assignedAt) + 3 * DAY).toISOString())}前签收（交办后72小时内），并于${campaignYear + 1}年12月31日前办结。`);
  });

  test('a plan whose notices are in English gets the same 督办单 in English, with no option given', () => {
    const notices = noticesOf(enInput);
    expect(notices.map((n) => n.kind)).toEqual(['assignment', 'reminder', 'supervision-notice']);
    const supervision = notices[2] as RungNotice;
    const { subject, text } = renderNotice(supervision);
    expect(subject).toBe('Supervision notice (督办单): task 5 "Urban road network construction"');
    const lines = text.split('\n');
    expect(lines.slice(1, 5)).toEqual(['Supervision notice (督办单)', `No. ${DateTime.fromISO(supervision.at ?? '', { zone: ZONE }).year}/5-1`, '', 'To: Urban Construction Office']);
    expect(lines).toContain(`1. not acknowledged in time (assigned ${enDay(assignedAt)})`);
    expect(text).toContain(`and finish by 31 Dec ${campaignYear + 1}.`);
    expect(lines.slice(-2)).toEqual(['', 'Dates and times are in the Asia/Shanghai time zone.']);
  });
});
