/**
 * What people see of a format-2 plan's start and targets (issue 12, points 7 and 9),
 * through `main` in this process against a dev server with a worker: `duban board` and
 * `duban task show` say a task waits for its start with the local date (the campaign's, or
 * the task's own later one), in English and Chinese; `duban task show` and `duban plan
 * show` give the plan's targets in its words. The fixture is re-dated around today.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { DubanClient } from '@duban/client';
import { loadPlanFile, type Plan } from '@duban/plan';
import { serverAddress, serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';
import { duban as run, type Run } from '../cli/run';
import { eventually } from '../harness/poll';

const ZONE = 'Asia/Shanghai';
const dir = temporaryDirectory('duban-plan-v2-waiting-');
const env = serverPerFile(() => startDevServerWithWorker(join(dir, 'audit.sqlite')));
const today = DateTime.now().setZone(ZONE).startOf('day');
const day = (days: number) => today.plus({ days });
const date = (days: number) => day(days).toISODate() ?? '';
const zhDate = (days: number) => `${day(days).year}年${day(days).month}月${day(days).day}日`;

/**
 * The district fixture under its own id, its campaign from 20 days on to 300: task 1 with a
 * rate and a relative target, task 2 with its own start 40 days on. Written as JSON (YAML).
 */
async function waitingPlan(): Promise<{ plan: Plan; file: string }> {
  const loaded = await loadPlanFile(join(__dirname, '..', 'workflows', 'fixtures-v2', 'district-v2.yaml'));
  const { format: _format, ...rest } = loaded as Plan & { format?: number };
  const plan = {
    ...rest,
    id: 'plan-v2-waiting',
    campaign: { start: date(20), end: date(300) },
    actions: loaded.actions.map((action) => ({
      ...action,
      tasks: action.tasks.map((task) => {
        if (task.number === 1) {
          return {
            ...task,
            deadline: { ...task.deadline!, date: date(200) },
            nodes: task.nodes?.map((n) => ({ ...n, date: date(100) })),
            filing: task.filing && { ...task.filing, date: date(210) },
            targets: [
              { description: '固定资产投资增长6.2%左右', kind: 'approx' as const, percent: 6.2 },
              { description: '增速不低于全市平均水平', kind: 'relative' as const, relation: '不低于全市平均水平' },
            ],
          };
        }
        if (task.number === 2) return { ...task, deadline: { source: '全年' } as never, start: { date: date(40), source: '第二阶段' } };
        return { ...task, deadline: { ...task.deadline!, date: date(60) } };
      }),
    })),
  } as Plan;
  const file = join(dir, 'plan-v2-waiting.json');
  writeFileSync(file, JSON.stringify(plan, null, 2));
  return { plan: await loadPlanFile(file), file };
}

let planned: { plan: Plan; file: string };

// Written before the keys are issued for it (hooks run in the order they are defined).
beforeAll(async () => {
  planned = await waitingPlan();
});
const keys = keysPerFile(join(dir, 'plan-v2-waiting.json'));

/** The district fixture under another id, started yesterday, its task 3 supervised by the 督查组 alone. */
const supervisedFile = join(dir, 'plan-v2-supervised.json');
let supervised: Plan;
beforeAll(async () => {
  const loaded = await loadPlanFile(join(__dirname, '..', 'workflows', 'fixtures-v2', 'district-v2.yaml'));
  const { format: _format, ...rest } = loaded as Plan & { format?: number };
  const plan = {
    ...rest,
    id: 'plan-v2-supervised',
    campaign: { start: date(-1), end: date(300) },
    actions: loaded.actions.map((action) => ({
      ...action,
      tasks: action.tasks.map((task) => {
        if (task.number === 1) return { ...task, deadline: { ...task.deadline!, date: date(200) }, nodes: task.nodes?.map((n) => ({ ...n, date: date(100) })), filing: task.filing && { ...task.filing, date: date(210) } };
        if (task.number === 2) return { ...task, deadline: { source: '全年' } as never };
        return { ...task, deadline: { ...task.deadline!, date: date(60) }, supervisor: ['ducha'] };
      }),
    })),
  } as Plan;
  writeFileSync(supervisedFile, JSON.stringify(plan, null, 2));
  supervised = await loadPlanFile(supervisedFile);
});
const supervisedKeys = keysPerFile(supervisedFile);

function duban(...args: string[]): Promise<Run> {
  return run(args, { env: { TEMPORAL_ADDRESS: serverAddress(env()), TEMPORAL_NAMESPACE: 'default', ...keys().env } });
}

describe('a launched plan whose tasks wait for their start', () => {
  it('shows the targets in plan show, then launches', async () => {
    const shown = await duban('--lang', 'zh', 'plan', 'show', planned.file);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('工作目标');
    expect(shown.stdout).toContain('固定资产投资增长6.2%左右');
    expect(shown.stdout).toContain('增速不低于全市平均水平');
    const launched = await duban('launch', planned.file);
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    const client = new DubanClient(env().client);
    await eventually(() => client.task(planned.plan.id, 2).state(), (s) => s.startsAt !== undefined, { timeoutMs: 60_000, tolerateErrors: true });
    await eventually(() => client.campaign(planned.plan.id).board(), (b) => b.tasks.length === 3, { timeoutMs: 60_000, tolerateErrors: true });
  });

  it('says on the board, in English and Chinese, that each task waits for its start, with the local date', async () => {
    const en = await duban('board', planned.file);
    expect(en.stderr).toBe('');
    expect(en.stdout).toContain(`waits for its start (${date(20)})`);
    // Task 2 has its own, later start.
    expect(en.stdout).toContain(`waits for its start (${date(40)})`);
    const zh = await duban('--lang', 'zh', 'board', planned.file);
    expect(zh.stdout).toContain(`待开始（${zhDate(20)}）`);
    expect(zh.stdout).toContain(`待开始（${zhDate(40)}）`);
  });

  it('says in task show that the task waits for its start, and gives its targets', async () => {
    const en = await duban('task', 'show', planned.file, '2');
    expect(en.stderr).toBe('');
    expect(en.stdout).toContain(`Waiting for its start: assigned on ${date(40)}`);
    const zh = await duban('--lang', 'zh', 'task', 'show', planned.file, '1');
    expect(zh.stdout).toContain(`待开始：${zhDate(20)}起交办`);
    expect(zh.stdout).toContain('工作目标: 固定资产投资增长6.2%左右；增速不低于全市平均水平');
  });
});

describe('a launched task that names who supervises it', () => {
  it('refuses a signed review by a supervisor outside the named group (NOT_SUPERVISOR); HQ office acting for the named one by break-glass approves', async () => {
    const launched = await run(['launch', supervisedFile], { env: { TEMPORAL_ADDRESS: serverAddress(env()), TEMPORAL_NAMESPACE: 'default', ...supervisedKeys().env } });
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    const task = new DubanClient(env().client).task(supervised.id, 3);
    await eventually(() => task.state(), (s) => s.timeline.some((e) => e.kind === 'task.assigned'), { timeoutMs: 60_000, tolerateErrors: true });
    const as = async (person: string, options: { breakGlass?: string } = {}) => task.as(await supervisedKeys().key(person), options);
    await (await as('fagaiwei-head')).acknowledge({ actor: 'fagaiwei-head' });
    await (await as('fagaiwei-head')).reportProgress({ actor: 'fagaiwei-head', percent: 100, note: '前期手续已完成' });
    await (await as('fagaiwei-head')).submit({ actor: 'fagaiwei-head', summary: '已办结' });
    // 区长 is a supervisor of the plan, with his own valid signature, but not of the group the task names.
    const refused = await (await as('leader')).review({ actor: 'leader', decision: 'approve', score: 95 }).catch((e: { code?: string }) => e.code);
    expect(refused).toBe('NOT_SUPERVISOR');
    expect((await task.state()).status).toBe('submitted');
    const approved = await (await as('hq-clerk', { breakGlass: '督查组长出差，代为审核' })).review({ actor: 'supervisor', decision: 'approve', score: 95 });
    expect(approved).toMatchObject({ status: 'approved' });
  });
});
