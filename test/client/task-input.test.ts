import { DateTime } from 'luxon';
import { buildCampaignInput, buildTaskInput, DubanClientError, newKeyFile, planTaskNumbers, rosterKeyOf } from '@duban/client';
import { rebasePlan, taskSchedule, type Plan } from '@duban/plan';
import { reportProgressArgsSchema } from '@duban/workflows';
import { seedPlanPerFile } from '../harness';

const DAY = 24 * 3_600_000;

const plan = seedPlanPerFile();

describe('buildTaskInput on the seed plan', () => {
  test('every one of the 20 tasks builds, with ISO instants for its milestones and deadline', () => {
    const numbers = planTaskNumbers(plan());
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const n of numbers) {
      const input = buildTaskInput(plan(), n);
      expect(input.taskNumber).toBe(n);
      expect(input.planId).toBe('xihu-2020');
      expect(input.primaryLead).not.toBe('');
      for (const m of input.milestones) expect(Date.parse(m.dueAt)).not.toBeNaN();
      expect(Date.parse(input.deadlineAt)).not.toBeNaN();
    }
  });

  test("task 3's primary lead is 城管办 and 城建办 assists, as the source lists them", () => {
    const input = buildTaskInput(plan(), 3);
    const chengguan = plan().units.find((u) => u.name === '城管办');
    expect(input.primaryLead).toBe(chengguan?.code);
    expect(input.assistingLeads).toEqual(['chengjian']);
    expect(input.title.zh).toBe('河湖水环境整治');
    expect(input.actionNumber).toBe(2);
  });

  test('task 8 (厕所革命) is led by 城管办 alone with no assisting lead', () => {
    const input = buildTaskInput(plan(), 8);
    expect(input.primaryLead).toBe('chengguan');
    expect(input.assistingLeads).toEqual([]);
    expect(input.responsible).toContain('langonglu');
  });

  test('task 10 keeps 兰宫路社区 among its responsible units and names every involved unit as the plan writes it', () => {
    const input = buildTaskInput(plan(), 10);
    expect(input.primaryLead).toBe('shehui');
    expect(input.responsible).toContain('langonglu');
    const names = new Map(input.units.map((u) => [u.code, u.name]));
    expect(names.get('shehui')).toBe('社会事务办');
    expect(names.get('langonglu')).toBe('兰宫路社区');
  });

  test('the roster holds the units’ people and the plan-wide supervisors, HQ office, accountability group and HQ leaders, but not other units’ staff', () => {
    const input = buildTaskInput(plan(), 9); // 经发办 leads
    const ids = input.people.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['jingfa-head', 'jingfa-staff', 'langonglu-head', 'supervisor-li', 'supervisor-zhou', 'hq-office-clerk', 'accountability-officer', 'hq-secretary', 'hq-director']));
    expect(ids).not.toContain('chengjian-staff');
    expect(ids).not.toContain('shehui-head');
    const clerk = input.people.find((p) => p.id === 'hq-office-clerk');
    expect(clerk?.roles).toEqual(['hq-office', 'staff']);
    expect(Object.keys(clerk ?? {}).sort()).toEqual(['id', 'name', 'roles', 'unit']);
  });

  test('milestones and the deadline come from taskSchedule: task 4 is checked at the end of 2021 and due by the end of 2020', () => {
    const input = buildTaskInput(plan(), 4);
    const schedule = taskSchedule(plan(), 4);
    expect(input.milestones).toEqual(schedule.milestones);
    expect(input.deadlineAt).toBe('2021-01-01T00:00:00.000+08:00');
  });

  test('policy durations are the plan’s ISO durations in milliseconds', () => {
    const { policy } = buildTaskInput(plan(), 1);
    expect(policy.acknowledgementWindowMs).toBe(3 * DAY);
    expect(policy.reminderCadenceMs).toBe(7 * DAY);
    expect(policy.stallWindowMs).toBe(14 * DAY);
    expect(policy.reviewDeadlineMs).toBe(5 * DAY);
    expect(policy.escalation).toEqual([
      { rung: 'reminder', waitMs: 3 * DAY },
      { rung: 'supervision-notice', waitMs: 7 * DAY },
      { rung: 'interview', waitMs: 7 * DAY },
      { rung: 'accountability', waitMs: 14 * DAY },
    ]);
    expect(policy.scoring.commendation.earlyByMs).toBe(7 * DAY);
    expect(policy.scoring.deductions.rungs.accountability).toBe(10);
    expect(policy.yellowTolerance).toBe(15);
  });

  test('a policy given in hours is converted too', () => {
    const custom: Plan = { ...plan(), policies: { ...plan().policies, reviewDeadline: 'PT36H' } };
    expect(buildTaskInput(custom, 1).policy.reviewDeadlineMs).toBe(36 * 3_600_000);
  });

  test('assignedAt is passed through as an ISO instant when given, and left to the workflow otherwise', () => {
    const at = DateTime.fromISO('2020-03-02T09:00', { zone: 'Asia/Shanghai' });
    expect(buildTaskInput(plan(), 1, { assignedAt: at }).assignedAt).toBe('2020-03-02T09:00:00.000+08:00');
    expect(buildTaskInput(plan(), 1).assignedAt).toBeUndefined();
  });

  test('a rebased plan moves the deadline by the same number of years', () => {
    const input = buildTaskInput(rebasePlan(plan(), 2030), 4);
    expect(input.deadlineAt).toBe('2031-01-01T00:00:00.000+08:00');
  });

  test('a task number the plan does not have is refused with TASK_NOT_IN_PLAN naming the plan', () => {
    expect.assertions(3);
    try {
      buildTaskInput(plan(), 21);
    } catch (error) {
      expect(error).toBeInstanceOf(DubanClientError);
      expect((error as DubanClientError).code).toBe('TASK_NOT_IN_PLAN');
      expect((error as DubanClientError).message).toContain('xihu-2020');
    }
  });

  test('a policy duration that is not positive is refused with INVALID_PLAN naming the field', () => {
    const broken: Plan = { ...plan(), policies: { ...plan().policies, stallWindow: 'P0D' } };
    expect(() => buildTaskInput(broken, 1)).toThrow(expect.objectContaining({ code: 'INVALID_PLAN', field: 'policies.stallWindow' }));
  });

  test('the workflow input people can report under the workflow’s own schema', () => {
    // A sanity link between the roster and the message schema the workflow validates with.
    const input = buildTaskInput(plan(), 3);
    const actor = input.people.find((p) => p.unit === input.primaryLead && p.roles.includes('staff'));
    expect(reportProgressArgsSchema.safeParse({ requestId: 'r1', actor: actor?.id, percent: 40, note: '清淤' }).success).toBe(true);
  });

  test('requires signed instructions, bounds extensions by the campaign and carries the plan’s same-unit review policy', () => {
    const input = buildTaskInput(plan(), 3);
    expect(input.identity).toEqual({ required: true, maxAgeMs: 10 * 60_000, maxSkewMs: 2 * 60_000 });
    // The end of the campaign's last day (2021-12-31) in the plan's zone, as the campaign input's endAt.
    expect(input.campaignEndAt).toBe('2022-01-01T00:00:00.000+08:00');
    expect(input.campaignEndAt).toBe(buildCampaignInput(plan()).endAt);
    expect(input.policy.allowSameUnitReview).toBe(false);
    const allowing: Plan = { ...plan(), policies: { ...plan().policies, allowSameUnitReview: true } };
    expect(buildTaskInput(allowing, 3).policy.allowSameUnitReview).toBe(true);
  });

  test('the people get their public keys from the keyring, and the campaign’s roster of record is every person of the plan', () => {
    const key = rosterKeyOf(newKeyFile('xihu-2020', 'supervisor-li', '2020-03-01T00:00:00.000Z'));
    const keyring = { 'supervisor-li': [key] };
    const input = buildTaskInput(plan(), 3, { keyring });
    expect(input.people.find((p) => p.id === 'supervisor-li')?.keys).toEqual([key]);
    expect(input.people.find((p) => p.id === 'chengguan-head')?.keys).toBeUndefined();
    const campaign = buildCampaignInput(plan(), { keyring });
    expect(campaign.roster?.map((p) => p.id)).toEqual(plan().people.map((p) => p.id));
    expect(campaign.roster?.find((p) => p.id === 'supervisor-li')?.keys).toEqual([key]);
    expect(campaign.identity?.required).toBe(true);
    expect(campaign.tasks.every((t) => t.identity?.required === true)).toBe(true);
  });
});
