import { generateKeyPair, signInstruction, withoutProof } from '@duban/identity';
import * as campaign from '@duban/workflows';
import type { BoardTask, Person, PlanAmendment, TaskState, TaskSummary, TaskWorkflowInput } from '@duban/workflows';

const T0 = Date.parse('2027-03-01T01:00:00.000Z');
const at = (days: number) => new Date(T0 + days * 86_400_000).toISOString();

function taskInput(taskNumber: number, primaryLead: string, deadlineDays = 100): TaskWorkflowInput {
  return {
    planId: 'xihu-2020',
    taskNumber,
    title: { zh: `任务${taskNumber}`, en: `Task ${taskNumber}` },
    actionNumber: 1,
    primaryLead,
    assistingLeads: [],
    responsible: ['langonglu'],
    units: [],
    people: [],
    milestones: [],
    deadlineAt: at(deadlineDays),
    policy: {
      acknowledgementWindowMs: 1,
      reminderCadenceMs: 1,
      stallWindowMs: 1,
      reviewDeadlineMs: 1,
      requireAssistingReports: false,
      yellowTolerance: 15,
      escalation: [],
      scoring: { base: 100, deductions: { yellow: 2, red: 5, rungs: { reminder: 1, 'supervision-notice': 3, interview: 5, accountability: 10 } }, commendation: { minScore: 95, earlyByMs: 1 } },
    },
  };
}

function line(taskNumber: number, primaryLead: string, patch: Partial<BoardTask> = {}): BoardTask {
  return { ...campaign.initialBoardTask(taskInput(taskNumber, primaryLead), `duban/xihu-2020/task-${taskNumber}`, at(0)), ...patch };
}

function summaryOf(task: BoardTask, patch: Partial<TaskSummary>): TaskSummary {
  const { workflowId: _w, title: _t, actionNumber: _a, ...summary } = task;
  return { ...summary, ...patch };
}

describe('the campaign board', () => {
  test('a newer summary replaces the line and reports the escalations opened and closed in between', () => {
    const board = [line(1, 'chengjian')];
    const first = campaign.applySummary(board, summaryOf(board[0]!, { seq: 5, light: 'yellow', escalationLevel: 1, escalationsStarted: 2, escalationsStopped: 1, at: at(3) }));
    expect(first.applied).toBe(true);
    expect(first.opened).toEqual([
      { taskNumber: 1, unit: 'chengjian', at: at(3) },
      { taskNumber: 1, unit: 'chengjian', at: at(3) },
    ]);
    expect(first.closed).toHaveLength(1);
    expect(board[0]).toMatchObject({ seq: 5, light: 'yellow', escalationLevel: 1 });
  });

  test('an older or repeated summary changes nothing', () => {
    const board = [line(1, 'chengjian', { seq: 9, light: 'red' })];
    const stale = campaign.applySummary(board, summaryOf(board[0]!, { seq: 8, light: 'green', escalationsStarted: 4 }));
    expect(stale).toEqual({ applied: false, opened: [], closed: [] });
    expect(board[0]!.light).toBe('red');
  });

  test('a summary for a task not on the board is ignored', () => {
    const board = [line(1, 'chengjian')];
    expect(campaign.applySummary(board, summaryOf(line(2, 'jingfa'), { seq: 3 })).applied).toBe(false);
  });

  test('counts per primary lead unit add up lights, escalations and outcomes', () => {
    const counts = campaign.unitCounts([
      line(1, 'chengjian', { light: 'red', escalationLevel: 2 }),
      line(2, 'chengjian', { light: 'yellow' }),
      line(3, 'chengguan', { status: 'approved' }),
      line(4, 'chengjian'),
    ]);
    expect(counts).toEqual([
      { unit: 'chengguan', total: 1, green: 1, yellow: 0, red: 0, escalated: 0, approved: 1, cancelled: 0 },
      { unit: 'chengjian', total: 3, green: 1, yellow: 1, red: 1, escalated: 1, approved: 0, cancelled: 0 },
    ]);
  });
});

describe('the bulletin (通报)', () => {
  const board = [
    line(1, 'chengjian', { light: 'red', escalationLevel: 1 }),
    line(2, 'chengjian', { light: 'red', escalationLevel: 3 }),
    line(3, 'chengguan', { light: 'red' }),
    line(4, 'jingfa', { light: 'red' }),
    line(5, 'shehui', { light: 'yellow', percent: 10 }),
    line(6, 'dangzheng', { light: 'red', status: 'cancelled' }),
    line(7, 'dangzheng', { status: 'approved' }),
  ];

  test('ranks units by their number of overdue tasks, ties sharing a rank, the worst-escalated task first', () => {
    const ranking = campaign.rankByUnit(board, 'red');
    expect(ranking.map((r) => [r.rank, r.unit, r.tasks.map((t) => t.taskNumber)])).toEqual([
      [1, 'chengjian', [2, 1]],
      [2, 'chengguan', [3]],
      [2, 'jingfa', [4]],
    ]);
  });

  test('leaves finished tasks out of the rankings but counts them in the totals, a cancelled one under no light', () => {
    const bulletin = campaign.buildBulletin({ board, number: 3, at: at(7), periodStart: at(0), opened: [{ taskNumber: 2, unit: 'chengjian', at: at(2) }], closed: [] });
    expect(bulletin.overdue.flatMap((r) => r.tasks.map((t) => t.taskNumber))).not.toContain(6);
    expect(bulletin.atRisk).toEqual([{ rank: 1, unit: 'shehui', tasks: [expect.objectContaining({ taskNumber: 5, percent: 10 })] }]);
    // Task 6 was red when HQ cancelled it: it counts as cancelled only.
    expect(bulletin.totals).toEqual({ tasks: 7, green: 1, yellow: 1, red: 4, approved: 1, cancelled: 1 });
    expect(bulletin).toMatchObject({ number: 3, periodStart: at(0), periodEnd: at(7), escalationsOpened: [{ taskNumber: 2 }], escalationsClosed: [] });
  });
});

describe('the assessment roll-up by unit', () => {
  test('averages the approved scores and sums lights, rungs and commendations per primary lead unit', () => {
    const rolled = campaign.rollUp([
      line(1, 'chengjian', { status: 'approved', score: 90, yellows: 1, rungs: ['reminder'] }),
      line(2, 'chengjian', { status: 'approved', score: 97, commended: true }),
      line(3, 'chengjian', { status: 'cancelled', reds: 2, rungs: ['reminder', 'supervision-notice'] }),
      line(4, 'jingfa'),
    ]);
    expect(rolled).toEqual([
      { unit: 'chengjian', tasks: 3, approved: 2, cancelled: 1, averageScore: 93.5, yellows: 1, reds: 2, rungs: 3, commendations: 1 },
      { unit: 'jingfa', tasks: 1, approved: 0, cancelled: 0, averageScore: null, yellows: 0, reds: 0, rungs: 0, commendations: 0 },
    ]);
  });
});

describe('the weekly dispatch schedule', () => {
  const week = 7 * 86_400_000;
  test('is the first dispatch until it has passed, then the next slot after now', () => {
    expect(campaign.nextDispatchAtMs(T0, week, T0 - 1)).toBe(T0);
    expect(campaign.nextDispatchAtMs(T0, week, T0)).toBe(T0 + week);
    expect(campaign.nextDispatchAtMs(T0, week, T0 + 2.5 * week)).toBe(T0 + 3 * week);
  });
});

describe('amendment validation', () => {
  const board = [line(1, 'chengjian'), line(2, 'chengguan', { status: 'approved' })];
  const ctx = { planId: 'xihu-2020', board, unitCodes: new Set(['chengjian', 'chengguan', 'langonglu']), nowMs: T0 };
  const amendment = (patch: Partial<PlanAmendment>): PlanAmendment => ({ amendmentId: 'a1', actor: 'hq-office-clerk', reason: 'r', addTasks: [], moveDeadlines: [], reassign: [], ...patch });

  test('accepts a new task, a later deadline and a reassignment to known units', () => {
    expect(
      campaign.refuseAmendment(
        amendment({
          addTasks: [taskInput(21, 'chengjian')],
          moveDeadlines: [{ taskNumber: 1, deadlineAt: at(200), reason: 'r' }],
          reassign: [{ taskNumber: 1, primaryLead: 'chengguan', assistingLeads: ['chengjian'], people: [], reason: 'r' }],
        }),
        ctx,
      ),
    ).toBeUndefined();
  });

  test.each([
    ['an empty amendment', amendment({}), 'INVALID_AMENDMENT'],
    ['an amendment without a reason', amendment({ reason: ' ', moveDeadlines: [{ taskNumber: 1, deadlineAt: at(200), reason: 'r' }] }), 'INVALID_AMENDMENT'],
    ['an unknown task', amendment({ moveDeadlines: [{ taskNumber: 99, deadlineAt: at(200), reason: 'r' }] }), 'UNKNOWN_TASK'],
    ['a finished task', amendment({ moveDeadlines: [{ taskNumber: 2, deadlineAt: at(200), reason: 'r' }] }), 'TASK_FINISHED'],
    ['a deadline in the past', amendment({ moveDeadlines: [{ taskNumber: 1, deadlineAt: at(-1), reason: 'r' }] }), 'DEADLINE_IN_PAST'],
    ['a task number already used', amendment({ addTasks: [taskInput(1, 'chengjian')] }), 'DUPLICATE_TASK_NUMBER'],
    ['a task added twice', amendment({ addTasks: [taskInput(21, 'chengjian'), taskInput(21, 'chengjian')] }), 'DUPLICATE_TASK_NUMBER'],
    ['an added task already overdue', amendment({ addTasks: [taskInput(21, 'chengjian', -2)] }), 'DEADLINE_IN_PAST'],
    ['an unknown unit', amendment({ reassign: [{ taskNumber: 1, primaryLead: 'nowhere', assistingLeads: [], people: [], reason: 'r' }] }), 'UNKNOWN_UNIT'],
    ['a task of another plan', amendment({ addTasks: [{ ...taskInput(21, 'chengjian'), planId: 'other' }] }), 'PLAN_MISMATCH'],
  ])('refuses %s', (_name, a, code) => {
    expect(campaign.refuseAmendment(a, ctx)?.code).toBe(code);
  });
});

describe('the summary a task sends its campaign', () => {
  test('carries the light, the rungs, the lights of its checks and its escalation episodes', () => {
    const state = {
      planId: 'xihu-2020',
      taskNumber: 4,
      workflowId: 'duban/xihu-2020/task-4',
      status: 'in-progress',
      assignedAt: at(0),
      deadlineAt: at(100),
      percent: 40,
      light: 'yellow',
      units: [],
      checks: [
        { id: 'm1', at: at(10), light: 'yellow', percent: 10, expectedPercent: 40 },
        { id: 'm2', at: at(20), light: 'green', percent: 40, expectedPercent: 40 },
      ],
      deadlinePassed: false,
      acknowledgementOverdue: false,
      stalled: false,
      lastActivityAt: at(0),
      escalation: { level: 1, history: [{ rung: 'reminder', at: at(12), reasons: ['behind-schedule'] }] },
      extensions: [],
      submissions: [],
      timeline: [
        { seq: 1, at: at(0), actor: 'system', kind: 'task.assigned', details: {} },
        { seq: 2, at: at(10), actor: 'system', kind: 'escalation.started', details: {} },
        { seq: 3, at: at(20), actor: 'system', kind: 'escalation.stopped', details: {} },
        { seq: 4, at: at(21), actor: 'system', kind: 'escalation.started', details: {} },
      ],
    } satisfies TaskState;
    expect(campaign.taskSummary(state, { primaryLead: 'chengjian', assistingLeads: ['chengguan'] })).toEqual({
      taskNumber: 4,
      seq: 4,
      at: at(21),
      status: 'in-progress',
      light: 'yellow',
      percent: 40,
      escalationLevel: 1,
      rungs: ['reminder'],
      deadlineAt: at(100),
      primaryLead: 'chengjian',
      assistingLeads: ['chengguan'],
      yellows: 1,
      reds: 0,
      escalationsStarted: 2,
      escalationsStopped: 1,
    });
  });
});

describe('the roster of record', () => {
  const roster: Person[] = [
    { id: 'cj-staff', name: '城建办干部', unit: 'chengjian', roles: ['staff'] },
    { id: 'cg-staff', name: '城管办干部', unit: 'chengguan', roles: ['staff'] },
    { id: 'super', name: '督查组', unit: 'dangzheng', roles: ['supervisor'] },
    { id: 'hq', name: '指挥部办公室', unit: 'chengguan', roles: ['hq-office'] },
    { id: 'conduct', name: '问责组', unit: 'dangzheng', roles: ['accountability'] },
    { id: 'leader', name: '书记', unit: 'dangzheng', roles: [] },
  ];

  test('is the input roster, or for a campaign launched before it the people of its tasks and HQ, once each', () => {
    const hq = [roster[3]!, roster[5]!];
    expect(campaign.rosterOfRecord({ roster, tasks: [], hq })).toEqual(roster);
    const legacy = campaign.rosterOfRecord({ tasks: [{ ...taskInput(1, 'chengjian'), people: [roster[0]!, roster[3]!] }, { ...taskInput(2, 'chengguan'), people: [roster[1]!, roster[3]!] }], hq });
    expect(legacy.map((p) => p.id)).toEqual(['cj-staff', 'hq', 'cg-staff', 'leader']);
  });

  test("gives a task the people of its units and everyone who acts plan-wide, as buildTaskInput does", () => {
    const ids = (people: Person[]) => people.map((p) => p.id);
    expect(ids(campaign.taskPeopleFromRoster(roster, ['chengjian']))).toEqual(['cj-staff', 'super', 'hq', 'conduct']);
    expect(ids(campaign.taskPeopleFromRoster(roster, ['chengjian', 'chengguan'], new Set(['leader'])))).toEqual(['cj-staff', 'cg-staff', 'super', 'hq', 'conduct', 'leader']);
  });

  test('an added task takes its people from the roster (a person only the caller knows is dropped), the campaign\'s identity and end', () => {
    const ghost: Person = { id: 'ghost-supervisor', name: '幽灵', unit: 'dangzheng', roles: ['supervisor'] };
    const identity = { required: true, maxAgeMs: 600_000, maxSkewMs: 120_000 };
    const added = campaign.taskFromRoster(
      { ...taskInput(21, 'chengguan'), responsible: [], units: [{ code: 'chengguan', name: '城管办', en: 'UM' }], people: [ghost, { ...roster[1]!, roles: ['hq-office'] }] },
      { roster, planWide: new Set(), units: [{ code: 'chengguan', name: '城管办', en: 'UM' }, { code: 'dangzheng', name: '党政办', en: 'PO' }], identity, campaignEndAt: at(300) },
    );
    expect(added.people.map((p) => p.id)).toEqual(['cg-staff', 'super', 'hq', 'conduct']);
    expect(added.people.find((p) => p.id === 'cg-staff')?.roles).toEqual(['staff']);
    expect(added.units.map((u) => u.code)).toEqual(['chengguan', 'dangzheng']);
    expect(added).toMatchObject({ identity, campaignEndAt: at(300) });
  });

  test('issues and revokes keys: a new roster, the changed entries, key ids only', () => {
    const { roster: key } = generateKeyPair('cj-staff', at(0));
    const withKey = campaign.applyRosterChanges(roster, { issueKeys: [{ person: 'cj-staff', key }] }, at(1));
    expect(withKey.changed).toEqual([{ ...roster[0], keys: [key] }]);
    expect(withKey.issued).toEqual([{ person: 'cj-staff', keyId: key.keyId }]);
    expect(roster[0]!.keys).toBeUndefined();
    const revoked = campaign.applyRosterChanges(withKey.roster, { revokeKeys: [{ person: 'cj-staff', keyId: key.keyId }] }, at(2));
    expect(revoked.roster[0]!.keys).toEqual([{ ...key, revokedAt: at(2) }]);
    expect(campaign.signaturesRequired(roster, undefined)).toBe(false);
    expect(campaign.signaturesRequired(revoked.roster, undefined)).toBe(true);
    expect(campaign.signaturesRequired(roster, { required: true, maxAgeMs: 1, maxSkewMs: 1 })).toBe(true);
  });

  test.each([
    ['a key for a person not on the roster', (k: ReturnType<typeof generateKeyPair>['roster']) => ({ issueKeys: [{ person: 'ghost', key: k }] })],
    ['a key whose id is not its public key\'s', (k: ReturnType<typeof generateKeyPair>['roster']) => ({ issueKeys: [{ person: 'hq', key: { ...k, keyId: '0000000000000000' } }] })],
    ['a public key that is not hex', (k: ReturnType<typeof generateKeyPair>['roster']) => ({ issueKeys: [{ person: 'hq', key: { ...k, publicKey: 'zz' } }] })],
    ['a key already on the roster', (k: ReturnType<typeof generateKeyPair>['roster']) => ({ issueKeys: [{ person: 'hq', key: k }, { person: 'cj-staff', key: k }] })],
    ['the revocation of a key the person does not hold', () => ({ revokeKeys: [{ person: 'hq', keyId: 'abcdef0123456789' }] })],
  ])('refuses %s as INVALID_AMENDMENT', (_name, changes) => {
    const { roster: key } = generateKeyPair('hq', at(0));
    const a: PlanAmendment = { amendmentId: 'k1', actor: 'hq', reason: 'keys', addTasks: [], moveDeadlines: [], reassign: [], roster: changes(key) };
    expect(campaign.refuseAmendment(a, { planId: 'xihu-2020', board: [], unitCodes: new Set(), nowMs: T0, roster })?.code).toBe('INVALID_AMENDMENT');
  });

  test('takes an extension of the campaign only to a later end', () => {
    const ctx = { planId: 'xihu-2020', board: [], unitCodes: new Set<string>(), nowMs: T0, roster, endAtMs: Date.parse(at(100)) };
    const a = (extendCampaignTo: string): PlanAmendment => ({ amendmentId: 'e1', actor: 'hq', reason: 'r', addTasks: [], moveDeadlines: [], reassign: [], extendCampaignTo });
    expect(campaign.refuseAmendment(a(at(200)), ctx)).toBeUndefined();
    expect(campaign.refuseAmendment(a(at(100)), ctx)?.code).toBe('INVALID_AMENDMENT');
    expect(campaign.refuseAmendment(a('next year'), ctx)?.code).toBe('INVALID_AMENDMENT');
  });

  describe('authorises an amendment by its proof against the roster of record', () => {
    const hqKey = generateKeyPair('hq', at(0));
    const staffKey = generateKeyPair('cj-staff', at(0));
    const keyed = roster.map((p) => (p.id === 'hq' ? { ...p, keys: [hqKey.roster] } : p.id === 'cj-staff' ? { ...p, keys: [staffKey.roster] } : p));
    const ctx = { workflowId: 'duban/xihu-2020/campaign', message: 'amendPlan', roster: keyed, nowMs: T0 };
    const unsigned = (actor: string): PlanAmendment => ({ amendmentId: 'a9', actor, reason: 'r', addTasks: [], moveDeadlines: [{ taskNumber: 1, deadlineAt: at(50), reason: 'r' }], reassign: [] });
    const signed = (actor: string, key: typeof hqKey): PlanAmendment => {
      const raw = unsigned(actor);
      return { ...raw, proof: signInstruction({ workflowId: ctx.workflowId, message: 'amendPlan', args: withoutProof(raw) }, key.signing, { issuedAt: at(0) }) };
    };

    test('an HQ office member of the roster may amend', () => {
      expect(campaign.refuseSigner(signed('hq', hqKey), ctx)).toBeUndefined();
    });
    test.each([
      ['unsigned while keys exist', unsigned('hq'), 'CREDENTIAL_MISSING'],
      ['signed by staff', signed('cj-staff', staffKey), 'NOT_AUTHORISED'],
      ['signed by staff for HQ', signed('hq', staffKey), 'ACTING_FOR_ANOTHER'],
      ['altered after signing', { ...signed('hq', hqKey), reason: 'other' }, 'SIGNATURE_INVALID'],
    ])('refuses an amendment %s', (_name, a, code) => {
      expect(campaign.refuseSigner(a, ctx)?.code).toBe(code);
    });
    test('a campaign with no keys and no identity settings (launched before) takes an unsigned amendment', () => {
      expect(campaign.refuseSigner(unsigned('hq'), { ...ctx, roster })).toBeUndefined();
      // Unsigned, still only from HQ office of the roster of record.
      expect(campaign.refuseSigner(unsigned('cj-staff'), { ...ctx, roster })?.code).toBe('NOT_AUTHORISED');
      expect(campaign.refuseSigner(unsigned('ghost'), { ...ctx, roster })?.code).toBe('NOT_AUTHORISED');
      expect(campaign.refuseSigner(unsigned('hq'), { ...ctx, roster, identity: { required: true, maxAgeMs: 1, maxSkewMs: 1 } })?.code).toBe('CREDENTIAL_MISSING');
    });
  });
});

describe('what an amendment tells running tasks', () => {
  const leads = () => ({ primaryLead: 'chengguan', assistingLeads: [], people: [], units: [] });
  const a: PlanAmendment = {
    amendmentId: 'a1',
    actor: 'hq',
    reason: 'all',
    addTasks: [],
    moveDeadlines: [{ taskNumber: 1, deadlineAt: at(50), reason: 'late' }],
    reassign: [{ taskNumber: 1, primaryLead: 'chengguan', assistingLeads: [], reason: 'moved' }],
  };

  test('one signal per task, the changes for a task merged (a task takes one signal per amendment id)', () => {
    expect(campaign.taskChanges(a, leads, { tasks: [1, 2], change: { campaignEndAt: at(300) } }, true)).toEqual([
      { taskNumber: 1, change: { reason: 'late; moved; all', deadlineAt: at(50), leads: leads(), campaignEndAt: at(300) } },
      { taskNumber: 2, change: { reason: 'all', campaignEndAt: at(300) } },
    ]);
  });

  test('histories recorded before the merge keep one signal per change', () => {
    expect(campaign.taskChanges(a, leads, undefined, false).map((s) => s.taskNumber)).toEqual([1, 1]);
  });
});

describe('break-glass acts in the bulletin', () => {
  const act = (taskNumber: number, seq: number) => ({ taskNumber, seq, at: at(1), signer: 'hq', actor: 'cj-staff', message: 'acknowledge', reason: '住院' });

  test('are collected once each, however often a summary repeats them, and listed by the next bulletin', () => {
    const seen: Record<string, number> = {};
    const pending: ReturnType<typeof act>[] = [];
    const summary = (acts: ReturnType<typeof act>[]) => summaryOf(line(3, 'chengjian'), { breakGlass: acts });
    campaign.collectBreakGlass(summary([act(3, 4)]), seen, pending);
    campaign.collectBreakGlass(summary([act(3, 4), act(3, 9)]), seen, pending);
    expect(pending).toEqual([act(3, 4), act(3, 9)]);
    const bulletin = campaign.buildBulletin({ board: [], number: 1, at: at(7), periodStart: at(0), opened: [], closed: [], breakGlass: pending });
    expect(bulletin.breakGlass).toEqual([act(3, 4), act(3, 9)]);
    pending.length = 0;
    campaign.collectBreakGlass(summary([act(3, 4), act(3, 9)]), seen, pending);
    expect(pending).toEqual([]);
    expect(campaign.buildBulletin({ board: [], number: 2, at: at(14), periodStart: at(7), opened: [], closed: [], breakGlass: pending })).not.toHaveProperty('breakGlass');
  });
});
