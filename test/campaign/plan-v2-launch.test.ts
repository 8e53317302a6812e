/**
 * `duban launch` of format-2 plans through `main` in this process against a dev server
 * with a worker (issue 12, points 5, 8 and 9): a task whose deadline has passed is refused
 * with DEADLINES_PASSED naming it as the plan words it (English and Chinese), or launched
 * with --allow-past and recorded in the task; a task with no date is due at the campaign's
 * end; a plan with no organization (no 指挥部) launches and runs — its supervisors review.
 * The fixture plans are re-dated around today so the test does not age.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { buildTaskInput, DubanClient } from '@duban/client';
import { dueInstant, loadPlanFile, type Plan } from '@duban/plan';
import { serverAddress, serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';
import { duban as run, type Run } from '../cli/run';
import { eventually } from '../harness/poll';

const ZONE = 'Asia/Shanghai';
const fixtures = join(__dirname, '..', 'workflows', 'fixtures-v2');
const dir = temporaryDirectory('duban-plan-v2-launch-');
const env = serverPerFile(() => startDevServerWithWorker(join(dir, 'audit.sqlite')));
const districtKeys = keysPerFile(join(fixtures, 'district-v2.yaml'));
const noOrgKeys = keysPerFile(join(fixtures, 'no-org-v2.yaml'));
// The no-organization plan once more under another id, to launch it for a start to come.
const laterFile = join(dir, 'later-v2.yaml');
writeFileSync(laterFile, readFileSync(join(fixtures, 'no-org-v2.yaml'), 'utf8').replace('id: plan-v2-no-org', 'id: plan-v2-later'));
const laterKeys = keysPerFile(laterFile);

const today = DateTime.now().setZone(ZONE).startOf('day');
const date = (days: number) => today.plus({ days }).toISODate() ?? '';

/**
 * The fixture plan re-dated around today: the campaign from `startIn` days to 300 days on,
 * task 1 due in 200 days (its node in 100), task 3 due `task3In` days from today (past when
 * negative); task 2 keeps no date (全年: the campaign's end). Written as JSON, which is YAML.
 */
async function redated(name: string, options: { startIn: number; task3In: number }): Promise<{ plan: Plan; file: string }> {
  const loaded = await loadPlanFile(name.includes('/') ? name : join(fixtures, name));
  const { format: _format, ...rest } = loaded as Plan & { format?: number };
  const plan: Plan = {
    ...rest,
    campaign: { start: date(options.startIn), end: date(300) },
    actions: loaded.actions.map((action) => ({
      ...action,
      tasks: action.tasks.map((task) => {
        if (task.number === 1) return { ...task, deadline: { ...task.deadline!, date: date(200) }, nodes: task.nodes?.map((n) => ({ ...n, date: date(100) })), filing: task.filing && { ...task.filing, date: date(210) } };
        if (task.number === 3) return { ...task, deadline: { ...task.deadline!, date: date(options.task3In) } };
        // Whole-year work: the file gives only its words (全年).
        return { ...task, deadline: { source: task.deadline?.source ?? '全年' } as never };
      }),
    })),
  } as Plan;
  const file = join(dir, `${loaded.id}-${options.startIn}-${options.task3In}.json`);
  writeFileSync(file, JSON.stringify(plan, null, 2));
  return { plan: await loadPlanFile(file), file };
}

function duban(keysEnv: Record<string, string>, ...args: string[]): Promise<Run> {
  return run(args, { env: { TEMPORAL_ADDRESS: serverAddress(env()), TEMPORAL_NAMESPACE: 'default', ...keysEnv } });
}

describe('duban launch of a format-2 plan', () => {
  it('refuses a plan with a task past its deadline, naming the task as the plan words it (exit 1), in English and Chinese', async () => {
    const { file } = await redated('district-v2.yaml', { startIn: -60, task3In: -10 });
    const en = await duban(districtKeys().env, 'launch', file);
    expect(en.code).toBe(1);
    expect(en.stderr).toContain(`Plan plan-v2-district has 1 task(s) due before now: task 3 (by ${date(-10)}).`);
    expect(en.stderr).toContain('--allow-past');
    expect(en.stderr).toContain('[DEADLINES_PASSED]');
    const zh = await duban(districtKeys().env, '--lang', 'zh', 'launch', file);
    expect(zh.code).toBe(1);
    // Re-dated, the source words (3月底前) no longer fit the date: the date itself, the Chinese way.
    const late = today.plus({ days: -10 });
    expect(zh.stderr).toContain(`计划 plan-v2-district 有 1 项任务的完成时限已过：任务 3（${late.year}年${late.month}月${late.day}日前）`);
    expect(zh.stderr).toContain('[DEADLINES_PASSED]');
    // Nothing was started.
    const board = await new DubanClient(env().client).campaign('plan-v2-district').board().catch((e: { code?: string }) => e.code);
    expect(board).toBe('CAMPAIGN_NOT_FOUND');
  });

  it('launches with --allow-past and records it in the late task; the no-date task is due at the campaign end', async () => {
    const { plan, file } = await redated('district-v2.yaml', { startIn: -60, task3In: -10 });
    const launched = await duban(districtKeys().env, 'launch', file, '--allow-past');
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    expect(launched.stdout).toContain('Launched plan plan-v2-district: campaign duban/plan-v2-district/campaign is starting its 3 task workflows');
    expect(launched.stdout).toContain(`Launched past their deadline (recorded in each): 1 task(s): task 3 (by ${date(-10)}).`);
    const client = new DubanClient(env().client);
    const late = await eventually(() => client.task(plan.id, 3).state(), (s) => s.timeline.some((e) => e.kind === 'task.assigned'), { timeoutMs: 60_000, tolerateErrors: true });
    expect(late.timeline.map((e) => e.kind).slice(0, 2)).toEqual(['launch.past-deadline', 'task.assigned']);
    expect(late.timeline[0]?.details).toMatchObject({ deadline: { date: date(-10), rule: 'by', source: '3月底前' } });
    expect(late.light).toBe('red');
    // 全年: due at the end of the campaign's last day.
    const whole = await eventually(() => client.task(plan.id, 2).state(), (s) => s.timeline.length > 0, { timeoutMs: 60_000, tolerateErrors: true });
    expect(Date.parse(whole.deadlineAt)).toBe(dueInstant(date(300), 'by', ZONE).toMillis());
    // The on-time task was not marked.
    const onTime = await eventually(() => client.task(plan.id, 1).state(), (s) => s.timeline.length > 0, { timeoutMs: 60_000, tolerateErrors: true });
    expect(onTime.timeline.map((e) => e.kind)).not.toContain('launch.past-deadline');
  });

  it('launches a plan with no organization, and its task runs to approval by a supervisor', async () => {
    const { plan, file } = await redated('no-org-v2.yaml', { startIn: -1, task3In: 30 });
    expect(plan.organization).toBeUndefined();
    // No issuer without a 指挥部; HQ and the supervisors come from the roster's roles.
    const input = buildTaskInput(plan, 2);
    expect(input.issuer).toBeUndefined();
    expect(input.people.map((p) => p.id)).toEqual(expect.arrayContaining(['hq-clerk', 'supervisor', 'leader', 'zhujianju-head']));
    const launched = await duban(noOrgKeys().env, 'launch', file);
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    const client = new DubanClient(env().client);
    const task = client.task(plan.id, 2);
    await eventually(() => task.state(), (s) => s.timeline.some((e) => e.kind === 'task.assigned'), { timeoutMs: 60_000, tolerateErrors: true });
    const as = async (person: string) => task.as(await noOrgKeys().key(person));
    await (await as('zhujianju-head')).acknowledge({ actor: 'zhujianju-head' });
    await (await as('zhujianju-head')).reportProgress({ actor: 'zhujianju-head', percent: 100, note: '全年工作已完成' });
    await (await as('zhujianju-head')).submit({ actor: 'zhujianju-head', summary: '已办结' });
    expect(await (await as('supervisor')).review({ actor: 'supervisor', decision: 'approve', score: 95 })).toMatchObject({ status: 'approved' });
  });

  it('launches a plan whose campaign starts later: says so, and its tasks wait for the start with nothing assigned', async () => {
    const { plan, file } = await redated(laterFile, { startIn: 20, task3In: 60 });
    const launched = await duban(laterKeys().env, 'launch', file);
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    expect(launched.stdout).toContain(`Its tasks wait for the campaign's start (${date(20)} 00:00)`);
    const waiting = await eventually(() => new DubanClient(env().client).task(plan.id, 1).state(), (s) => s.startsAt !== undefined, { timeoutMs: 60_000, tolerateErrors: true });
    expect(waiting).toMatchObject({ status: 'assigned', startsAt: new Date(dueInstant(date(20), 'before', ZONE).toMillis()).toISOString(), timeline: [] });
  });
});
