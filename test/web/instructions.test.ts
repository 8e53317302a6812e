/**
 * Instructions through the workspace against a real dev server with the seed plan
 * launched: each form becomes a task message signed with the logged-in person's key, and
 * the task workflow alone decides. A unit head acknowledges, reports and submits; a staff
 * member's forged review is refused by the workflow (its code shown); a supervisor
 * returns, then approves; an extension is asked for and decided by HQ; what people typed
 * is shown escaped; the board streams its changes; the ledger downloads; login posts
 * are rate-limited.
 */
import { DateTime } from 'luxon';
import { parse } from 'csv-parse/sync';
import { WebSession, workspacePerFile } from './workspace';

jest.setTimeout(240_000);

const ws = workspacePerFile({ verifyAudit: true, server: { loginLimit: { max: 15, timeWindowMs: 60_000 } } });
const PASSWORD = '工作台密码-correct-horse';
const TASK = 8; // 城管办 leads it alone.

const people: Record<string, WebSession> = {};

async function loggedIn(person: string): Promise<WebSession> {
  const existing = people[person];
  if (existing) return existing;
  const session = new WebSession(ws().url);
  expect((await session.accept(await ws().invite(person), PASSWORD)).status).toBe(303);
  expect((await session.login(person, PASSWORD)).status).toBe(303);
  people[person] = session;
  return session;
}

const taskPath = (n = TASK) => `/tasks/${ws().plan.id}/${n}`;

/** Opens the page (for its form's CSRF token) and posts `form` to `action` of the task. */
async function act(person: string, action: string, form: Record<string, string>, n = TASK) {
  const session = await loggedIn(person);
  await session.get(taskPath(n));
  return session.post(`${taskPath(n)}/${action}`, form);
}

describe('a task carried through the workspace', () => {
  it('offers the unit head the acknowledgement and records it under their name', async () => {
    const head = await loggedIn('chengguan-head');
    const inbox = await head.get('/');
    expect(inbox.status).toBe(200);
    expect(inbox.html).toContain(`href="${taskPath()}"`);
    const page = await head.get(taskPath());
    expect(page.html).toContain(`action="${taskPath()}/acknowledge"`);

    const done = await head.post(`${taskPath()}/acknowledge`, { note: '收到，立即部署' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${taskPath()}?done=acknowledge`);
    const state = await ws().duban.task(ws().plan.id, TASK).state();
    expect(state.units.find((u) => u.unit === 'chengguan')?.acknowledgedBy).toBe('chengguan-head');
    const after = await head.get(taskPath());
    expect(after.html).toContain('城管办主任');
    expect(after.html).not.toContain(`action="${taskPath()}/acknowledge"`);
  });

  it('shows a note with <script> inert and links only when they are http(s), with their host', async () => {
    const refused = await act('chengguan-head', 'report', { percent: '40', note: 'x', evidence: 'javascript:alert(1)' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('INVALID_ARGUMENT');

    const note = '<script>alert("xss")</script> 清淤过半 <img src=x onerror=alert(1)>';
    const done = await act('chengguan-head', 'report', { percent: '100', note, evidence: 'https://evidence.example.org/photos/1\nhttp://files.example.cn/a.pdf' });
    expect(done.status).toBe(303);
    const page = await people['chengguan-head']!.get(taskPath());
    expect(page.html).not.toContain('<script>alert("xss")</script>');
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).toContain('&lt;script&gt;');
    expect(page.html).toContain('href="https://evidence.example.org/photos/1"');
    expect(page.html).toContain('evidence.example.org');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('lets the primary lead ask for an extension, and HQ decide it', async () => {
    const year = DateTime.fromISO(ws().plan.campaign.end).year;
    const asked = await act('chengguan-head', 'extension', { deadline: `${year}-06-30`, reason: '雨季施工受阻' });
    expect(asked.status).toBe(303);
    const clerk = await loggedIn('hq-office-clerk');
    const inbox = await clerk.get('/');
    expect(inbox.html).toContain(`href="${taskPath()}"`);
    const page = await clerk.get(taskPath());
    expect(page.html).toContain(`action="${taskPath()}/extension-decision"`);
    const decided = await clerk.post(`${taskPath()}/extension-decision`, { decision: 'approve', reason: '同意' });
    expect(decided.status).toBe(303);
    const state = await ws().duban.task(ws().plan.id, TASK).state();
    expect(state.extensions.at(-1)).toMatchObject({ decision: 'approved', decidedBy: 'hq-office-clerk' });
    expect(DateTime.fromISO(state.deadlineAt).setZone(ws().plan.timeZone).toISODate()).toBe(`${year}-07-01`);
    // Due by 30 June is shown as that day, never as 1 July 00:00 when it falls due.
    const moved = await clerk.get(taskPath());
    expect(moved.html).toContain(`${year}年6月30日前`);
    expect(moved.html).not.toContain(`${year}年7月1日 00:00`);
  });

  it('refuses a staff member’s forged review in the workflow, and shows its code', async () => {
    expect((await act('chengguan-head', 'submit', { summary: '已完成公厕改造', evidence: 'https://evidence.example.org/done' })).status).toBe(303);
    const staff = await loggedIn('chengguan-staff');
    const page = await staff.get(taskPath());
    // No review form is offered to staff…
    expect(page.html).not.toContain(`action="${taskPath()}/review"`);
    // …and a forged one, with a valid session and CSRF token, is signed with the staff
    // member's key and refused by the task workflow's own check.
    const forged = await staff.post(`${taskPath()}/review`, { decision: 'approve', score: '100' });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('WRONG_ROLE');
    const state = await ws().duban.task(ws().plan.id, TASK).state();
    expect(state.status).toBe('submitted');
    expect(state.submissions.at(-1)?.decision).toBeUndefined();
  });

  it('lets a supervisor return the work with reasons, then approve it with a score', async () => {
    const supervisor = await loggedIn('supervisor-li');
    const inbox = await supervisor.get('/');
    expect(inbox.html).toContain(`href="${taskPath()}"`);
    const page = await supervisor.get(taskPath());
    expect(page.html).toContain(`action="${taskPath()}/review"`);
    const returned = await supervisor.post(`${taskPath()}/review`, { decision: 'return', reasons: '缺少验收照片\n台账未更新' });
    expect(returned.status).toBe(303);
    let state = await ws().duban.task(ws().plan.id, TASK).state();
    expect(state.submissions.at(-1)).toMatchObject({ decision: 'returned', reviewedBy: 'supervisor-li', reasons: ['缺少验收照片', '台账未更新'] });

    expect((await act('chengguan-head', 'submit', { summary: '补充验收照片' })).status).toBe(303);
    const approved = await act('supervisor-li', 'review', { decision: 'approve', score: '95' });
    expect(approved.status).toBe(303);
    state = await ws().duban.task(ws().plan.id, TASK).state();
    expect(state.status).toBe('approved');
    expect(state.submissions.at(-1)).toMatchObject({ decision: 'approved', reviewedBy: 'supervisor-li', score: 95 });
  });
});

describe('the campaign pages', () => {
  it('streams the board: a change made elsewhere arrives without a reload', async () => {
    const clerk = await loggedIn('hq-office-clerk');
    const board = await clerk.get(`/board/${ws().plan.id}`);
    expect(board.status).toBe(200);
    const controller = new AbortController();
    const response = await fetch(new URL(`/board/${ws().plan.id}/events`, ws().url), {
      headers: { cookie: [...clerk.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextUpdate = async (): Promise<{ version: string; html: string }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (/^event: board$/m.test(frame) && data) return JSON.parse(data) as { version: string; html: string };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the board stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    try {
      const first = await nextUpdate();
      expect(first.html).toContain('board-live');
      // Someone acknowledges another task: the open stream sends the board again.
      expect((await act('chengguan-head', 'acknowledge', {}, 12)).status).toBe(303);
      const second = await nextUpdate();
      expect(second.version).not.toBe(first.version);
    } finally {
      controller.abort();
    }
  });

  it('downloads the ledger as CSV with names, and shows bulletin, assessment and audit pages', async () => {
    const clerk = await loggedIn('hq-office-clerk');
    const response = await fetch(new URL(`/ledger/${ws().plan.id}.csv`, ws().url), { headers: { cookie: [...clerk.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await response.arrayBuffer());
    // The UTF-8 byte order mark: Excel on Chinese Windows then reads it as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    const rows = parse(text, { bom: true }) as string[][];
    expect(rows[0]?.[0]).toBe('序号');
    expect(rows).toHaveLength(1 + 20);
    expect(rows.find((r) => r[0] === String(TASK))?.[3]).toBe('城管办');
    for (const page of [`/bulletin/${ws().plan.id}`, `/assessment/${ws().plan.id}`]) {
      expect((await clerk.get(page)).status).toBe(200);
    }
    // The audit trail the worker wrote verifies against its hash chains.
    const audit = await clerk.get(`/audit/${ws().plan.id}`);
    expect(audit.status).toBe(200);
    expect(audit.html).toContain('data-status="ok"');
    // A notice's link leads to the task page.
    expect((await clerk.get(`/plans/${ws().plan.id}/tasks/${TASK}`)).location).toBe(taskPath());
  });

  it('sends a visitor to the login page, and keeps the pages of a plan to its people', async () => {
    const visitor = new WebSession(ws().url);
    expect((await visitor.get(`/board/${ws().plan.id}`)).location).toBe(`/login?next=${encodeURIComponent(`/board/${ws().plan.id}`)}`);
    const clerk = await loggedIn('hq-office-clerk');
    expect((await clerk.get('/board/another-plan')).status).toBe(404);
  });
});

describe('login', () => {
  it('is rate-limited per client address', async () => {
    const guesser = new WebSession(ws().url);
    await guesser.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await guesser.post('/login', { username: 'nobody', password: `guess-${i}` })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(15);
  });
});
