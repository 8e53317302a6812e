import { join } from 'node:path';
import {
  amendmentRuleFindings,
  deadlineInPast,
  duplicateTaskNumber,
  planMismatch,
  taskFinished,
  unknownTask,
  unknownUnits,
  type AmendmentChanges,
  type AmendmentFacts,
  type AmendmentFinding,
} from '@duban/common';
import { loadPlanFile, parseAmendment, type Plan } from '@duban/plan';
import { refuseAmendment, type BoardTask, type PlanAmendment, type TaskWorkflowInput } from '@duban/workflows';

const NOW = Date.parse('2020-09-01T00:00:00.000Z');
const facts: AmendmentFacts = {
  planId: 'xihu-2020',
  unitCodes: new Set(['chengguan', 'chengjian', 'langonglu']),
  tasks: new Map([
    [1, 'in-progress'],
    [2, 'approved'],
    [3, 'cancelled'],
  ]),
};

interface RuleCase {
  rule: string;
  refuses: () => AmendmentFinding | AmendmentFinding[] | undefined;
  passes: () => AmendmentFinding | AmendmentFinding[] | undefined;
  code: AmendmentFinding['code'];
}

const used = new Set(facts.tasks.keys());
const ruleCases: RuleCase[] = [
  {
    rule: 'planMismatch',
    refuses: () => planMismatch(['plan'], 'other-plan', facts.planId, 'This amendment'),
    passes: () => planMismatch(['plan'], 'xihu-2020', facts.planId, 'This amendment'),
    code: 'PLAN_MISMATCH',
  },
  {
    rule: 'duplicateTaskNumber',
    refuses: () => duplicateTaskNumber(['addTasks', 0, 'number'], 2, used),
    passes: () => duplicateTaskNumber(['addTasks', 0, 'number'], 21, used),
    code: 'DUPLICATE_TASK_NUMBER',
  },
  {
    rule: 'unknownUnits',
    refuses: () => unknownUnits(['reassign', 0, 'lead'], ['chengguan', 'nowhere'], 1, facts),
    passes: () => unknownUnits(['reassign', 0, 'lead'], ['chengguan', 'chengjian'], 1, facts),
    code: 'UNKNOWN_UNIT',
  },
  {
    rule: 'unknownTask',
    refuses: () => unknownTask(['moveDeadlines', 0, 'task'], 42, used, facts.planId),
    passes: () => unknownTask(['moveDeadlines', 0, 'task'], 1, used, facts.planId),
    code: 'UNKNOWN_TASK',
  },
  {
    rule: 'taskFinished',
    refuses: () => taskFinished(['moveDeadlines', 0, 'task'], 3, 'cancelled', 'move the deadline of'),
    passes: () => taskFinished(['moveDeadlines', 0, 'task'], 1, 'in-progress', 'move the deadline of'),
    code: 'TASK_FINISHED',
  },
  {
    rule: 'deadlineInPast',
    refuses: () => deadlineInPast(['moveDeadlines', 0, 'deadline'], 1, '2020-08-31T16:00:00.000Z', NOW),
    passes: () => deadlineInPast(['moveDeadlines', 0, 'deadline'], 1, '2020-12-31T16:00:00.000Z', NOW),
    code: 'DEADLINE_IN_PAST',
  },
];

describe('each amendment rule', () => {
  it.each(ruleCases)('$rule refuses with $code, with a message and a fix', ({ refuses, code }) => {
    const found = [refuses()].flat();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code });
    expect(found[0]?.message.length).toBeGreaterThan(0);
    expect(found[0]?.fix.length).toBeGreaterThan(0);
  });

  it.each(ruleCases)('$rule passes a change that keeps it', ({ passes }) => {
    expect([passes()].flat()).toEqual([]);
  });

  it('names the unknown unit at its own place in the list', () => {
    expect(unknownUnits(['reassign', 0, 'lead'], ['chengguan', 'nowhere'], 1, facts)).toEqual([
      expect.objectContaining({ path: ['reassign', 0, 'lead', 1], details: { taskNumber: 1, unit: 'nowhere' } }),
    ]);
  });

  it('counts an unreadable deadline as not in the future', () => {
    expect(deadlineInPast(['moveDeadlines', 0, 'deadline'], 1, 'soon', NOW)?.code).toBe('DEADLINE_IN_PAST');
  });
});

describe('all rules over one amendment', () => {
  const changes = (overrides: Partial<AmendmentChanges>): AmendmentChanges => ({ plan: 'xihu-2020', addTasks: [], moveDeadlines: [], reassign: [], ...overrides });
  const addTask = (number: number, deadlineAt = '2020-12-31T16:00:00.000Z') => ({ number, lead: ['chengjian'], responsible: ['langonglu'], deadlineAt });

  it.each([
    ['an amendment of another plan', changes({ plan: 'other' }), 'PLAN_MISMATCH', ['plan']],
    ['an added task of another plan', changes({ addTasks: [{ ...addTask(21), plan: 'other' }] }), 'PLAN_MISMATCH', ['addTasks', 0, 'plan']],
    ['a task added twice', changes({ addTasks: [addTask(21), addTask(21)] }), 'DUPLICATE_TASK_NUMBER', ['addTasks', 1, 'number']],
    ['an added task with an unknown responsible unit', changes({ addTasks: [{ ...addTask(21), responsible: ['nowhere'] }] }), 'UNKNOWN_UNIT', ['addTasks', 0, 'responsible', 0]],
    ['an added task already overdue', changes({ addTasks: [addTask(21, '2020-01-01T00:00:00.000Z')] }), 'DEADLINE_IN_PAST', ['addTasks', 0, 'deadline']],
    ['a move of a finished task', changes({ moveDeadlines: [{ task: 2 }] }), 'TASK_FINISHED', ['moveDeadlines', 0, 'task']],
    ['a reassignment of an unknown task', changes({ reassign: [{ task: 42, lead: ['chengguan'] }] }), 'UNKNOWN_TASK', ['reassign', 0, 'task']],
  ])('finds %s', (_name, change, code, path) => {
    expect(amendmentRuleFindings(change, { ...facts, nowMs: NOW })[0]).toMatchObject({ code, path });
  });

  it('finds nothing in an amendment that keeps every rule', () => {
    const good = changes({ addTasks: [addTask(21)], moveDeadlines: [{ task: 1, deadlineAt: '2020-12-31T16:00:00.000Z' }], reassign: [{ task: 1, lead: ['chengguan'] }] });
    expect(amendmentRuleFindings(good, { ...facts, nowMs: NOW })).toEqual([]);
  });

  it('lets a move name a task the same amendment adds only where the facts say so (a file, not the campaign)', () => {
    const moveAdded = changes({ addTasks: [addTask(21)], moveDeadlines: [{ task: 21 }] });
    expect(amendmentRuleFindings(moveAdded, facts).map((f) => f.code)).toEqual(['UNKNOWN_TASK']);
    expect(amendmentRuleFindings(moveAdded, { ...facts, addedTasksKnown: true })).toEqual([]);
  });

  it('judges no deadline against the clock without a now', () => {
    expect(amendmentRuleFindings(changes({ addTasks: [addTask(21, '2000-01-01T00:00:00.000Z')] }), facts)).toEqual([]);
  });
});

describe('the plan loader and the campaign workflow', () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await loadPlanFile(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'));
  });

  const header = 'plan: xihu-2020\nid: fault\nissuedBy: hq-office-clerk\nreason: r\n';
  const addedTask = (number: number) =>
    `addTasks:\n  - { action: 4, number: ${number}, title: { zh: 任务, en: Task }, description: d, lead: [chengjian], responsible: [langonglu], milestones: [end-2021] }\n`;
  // Only the facts refuseAmendment reads: an added task's plan, number, units and deadline.
  const campaignTask = (taskNumber: number) =>
    ({ planId: 'xihu-2020', taskNumber, primaryLead: 'chengjian', assistingLeads: [], responsible: ['langonglu'], deadlineAt: '2021-12-31T16:00:00.000Z' }) as unknown as TaskWorkflowInput;
  const amendment = (overrides: Partial<PlanAmendment>): PlanAmendment => ({ amendmentId: 'fault', actor: 'hq-office-clerk', reason: 'r', addTasks: [], moveDeadlines: [], reassign: [], ...overrides });

  it.each([
    ['a moved deadline of a task the plan does not have', `${header}moveDeadlines:\n  - { task: 42, deadline: { date: 2021-06-30, rule: by, source: s }, reason: r }\n`, amendment({ moveDeadlines: [{ taskNumber: 42, deadlineAt: '2021-06-30T16:00:00.000Z', reason: 'r' }] })],
    ['a reassignment to a unit the plan does not have', `${header}reassign:\n  - { task: 9, lead: [nowhere], reason: r }\n`, amendment({ reassign: [{ taskNumber: 9, primaryLead: 'nowhere', assistingLeads: [], people: [], reason: 'r' }] })],
    ['an added task numbered like a plan task', `${header}${addedTask(5)}`, amendment({ addTasks: [campaignTask(5)] })],
  ])('give the same code for %s', (_name, text, campaignAmendment) => {
    const read = parseAmendment(text, 'fault.yaml', plan);
    expect(read.ok).toBe(false);
    const fileCodes = read.ok ? [] : read.problems.map((p) => p.code);
    // The campaign's board: every plan task, running.
    const board = plan.actions.flatMap((a) => a.tasks.map((t) => ({ taskNumber: t.number, status: 'in-progress' }) as BoardTask));
    const refused = refuseAmendment(campaignAmendment, { planId: plan.id, board, unitCodes: new Set(plan.units.map((u) => u.code)), nowMs: NOW });
    expect(refused).toBeDefined();
    expect(fileCodes).toEqual([refused?.code]);
  });
});
