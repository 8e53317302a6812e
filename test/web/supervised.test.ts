/**
 * A task whose plan (format 2) names who supervises it, through the workspace on a real
 * dev server: the review form follows the task's named supervisors, not the reviewer
 * roles. The named unit's head (no supervisor role) finds the work in the inbox, sees the
 * form and approves; the plan-wide supervisor sees neither, and a forged review from them
 * is refused by the task workflow itself (NOT_SUPERVISOR).
 */
import { join } from 'node:path';
import { DubanClient, supervisingBody } from '@duban/client';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { createWorkspaceServer, invitePerson, type WorkspaceServer } from '@duban/web';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { removeTemporaryDirectories, serverAddress, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';
import { untilTasksAssigned } from '../harness/launched';
import { WebSession } from './workspace';

jest.setTimeout(240_000);

const PLAN_FILE = join(__dirname, 'fixtures', 'supervised-v2.yaml');
const PASSWORD = '督导单位密码-correct-horse';
const NAMED = 1; // names 区财政局 as its supervisor
const UNNAMED = 2; // names nobody: the plan-wide supervisor reviews it

const keys = keysPerFile(PLAN_FILE);
let env: TestWorkflowEnvironment | undefined;
let duban: DubanClient | undefined;
let server: WorkspaceServer | undefined;
let plan: Plan;
let url: string;
let dbPath: string;

beforeAll(async () => {
  const dir = temporaryDirectory('duban-web-supervised-');
  env = await startDevServerWithWorker(join(dir, 'audit.sqlite'));
  plan = rebasePlan(await loadPlanFile(PLAN_FILE), new Date().getFullYear() + 1);
  duban = await DubanClient.connect({ address: serverAddress(env), namespace: env.namespace ?? 'default' });
  await duban.launch(plan, { keyring: keys().keyring, startNow: true });
  await untilTasksAssigned(duban, plan);
  dbPath = join(dir, 'workspace.sqlite');
  server = await createWorkspaceServer({ duban, plans: [plan], dbPath, port: 0, boardPollMs: 500 });
  url = await server.listen();
}, 300_000);

afterAll(async () => {
  await server?.close();
  await duban?.close();
  await env?.teardown();
  removeTemporaryDirectories();
});

async function loggedIn(person: string): Promise<WebSession> {
  const session = new WebSession(url);
  const link = (await invitePerson({ dbPath, keyStore: keys().store, plans: [plan], person, baseUrl: url })).link;
  expect((await session.accept(link, PASSWORD)).status).toBe(303);
  expect((await session.login(person, PASSWORD)).status).toBe(303);
  return session;
}

const taskPath = (n: number) => `/tasks/${plan.id}/${n}`;

/** The lead unit carries task `n` to review with its own signed messages. */
async function submitted(n: number): Promise<void> {
  const task = duban!.task(plan.id, n).as(await keys().key('fagaiwei-head'));
  await task.acknowledge({ actor: 'fagaiwei-head' });
  await task.reportProgress({ actor: 'fagaiwei-head', percent: 100, note: '已完成' });
  await task.submit({ actor: 'fagaiwei-head', summary: '资金计划已编制' });
  expect((await duban!.task(plan.id, n).state()).status).toBe('submitted');
}

describe('a task that names its supervisor, in the workspace', () => {
  let plainSupervisor: WebSession;
  let namedHead: WebSession;

  beforeAll(async () => {
    // The fixture says what the test relies on: the unit's head is the task's whole supervising body.
    expect(supervisingBody(plan, NAMED)).toEqual({ codes: ['caizhengju'], people: ['caizhengju-head'] });
    expect(supervisingBody(plan, UNNAMED)).toBeUndefined();
    await submitted(NAMED);
    await submitted(UNNAMED);
    plainSupervisor = await loggedIn('supervisor');
    namedHead = await loggedIn('caizhengju-head');
  });

  it('offers the plan-wide supervisor no review of it, and the workflow refuses their forged one', async () => {
    const inbox = await plainSupervisor.get('/');
    expect(inbox.status).toBe(200);
    expect(inbox.html).not.toContain(`href="${taskPath(NAMED)}"`);
    // The task naming nobody is still theirs to review: the roles decide there.
    expect(inbox.html).toContain(`href="${taskPath(UNNAMED)}"`);
    expect((await plainSupervisor.get(taskPath(UNNAMED))).html).toContain(`action="${taskPath(UNNAMED)}/review"`);

    const page = await plainSupervisor.get(taskPath(NAMED));
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(`action="${taskPath(NAMED)}/review"`);
    // A forged form, with a valid session and CSRF token, signed with their key: the task says no.
    const forged = await plainSupervisor.post(`${taskPath(NAMED)}/review`, { decision: 'approve', score: '100' });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('NOT_SUPERVISOR');
    const state = await duban!.task(plan.id, NAMED).state();
    expect(state.status).toBe('submitted');
    expect(state.submissions.at(-1)?.decision).toBeUndefined();
  });

  it("lists the work in the named unit head's inbox, offers the form, and the review is applied", async () => {
    const inbox = await namedHead.get('/');
    expect(inbox.status).toBe(200);
    expect(inbox.html).toContain(`href="${taskPath(NAMED)}"`);
    // Not the task that names nobody: a unit head holds no reviewer role.
    expect(inbox.html).not.toContain(`href="${taskPath(UNNAMED)}"`);
    expect((await namedHead.get(taskPath(UNNAMED))).html).not.toContain(`action="${taskPath(UNNAMED)}/review"`);

    const page = await namedHead.get(taskPath(NAMED));
    expect(page.html).toContain(`action="${taskPath(NAMED)}/review"`);
    const approved = await namedHead.post(`${taskPath(NAMED)}/review`, { decision: 'approve', score: '96' });
    expect(approved.status).toBe(303);
    expect(approved.location).toBe(`${taskPath(NAMED)}?done=review`);
    const state = await duban!.task(plan.id, NAMED).state();
    expect(state.status).toBe('approved');
    expect(state.submissions.at(-1)).toMatchObject({ decision: 'approved', reviewedBy: 'caizhengju-head', score: 96 });
    const after = await namedHead.get(taskPath(NAMED));
    expect(after.html).not.toContain(`action="${taskPath(NAMED)}/review"`);
  });
});
