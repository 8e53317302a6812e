/**
 * The workspace in a real browser (Debian's headless Chromium driven by playwright-core),
 * on one dev server with the duban worker and the seed plan launched: each person opens
 * their invitation, sets a password and logs in; a community head acknowledges and
 * reports on task 8; the primary lead (城管办) submits; a supervisor returns it, then
 * approves the second submission; all the while HQ's board, opened once, follows the
 * task's state through server-sent events without reloading. Screenshots of the inbox,
 * the task page and the board at 375 px and 1280 px land in `screenshots/`.
 */
import type { Page } from 'playwright-core';
import { browserPerFile, openPage, screenshot, useViewport, type ViewportName } from '../../harness/browser';
import { workspacePerFile } from '../workspace';

jest.setTimeout(180_000);

const PLAN = 'xihu-2020';
/** 公厕建设: 城管办 leads alone, the communities are responsible. */
const TASK = 8;
const TASK_PATH = `/tasks/${PLAN}/${TASK}`;
const PASSWORD = 'correct horse battery staple';
const SCRIPT_NOTE = '已完成3座选址 <script>window.__pwned = 1; alert("pwned")</script>';

// Board streams ask often, so a change shows within a second; this file logs in a dozen
// times from one address, under the login rate limit's window.
const ws = workspacePerFile({ server: { boardPollMs: 300, loginLimit: { max: 200, timeWindowMs: 60_000 } } });
const browser = browserPerFile();

const accepted = new Set<string>();

/**
 * A session for `person` in a browser context of their own: the first time through their
 * invitation (set a password, then log in), later through the login page alone.
 */
async function logIn(person: string, viewport: ViewportName): Promise<{ page: Page; dialogs: string[] }> {
  const { page, dialogs } = await openPage(browser(), viewport);
  if (accepted.has(person)) {
    await page.goto(`${ws().url}/login`);
  } else {
    const opened = await page.goto(await ws().invite(person));
    if (opened?.status() !== 200) throw new Error(`The invitation page answered ${opened?.status()}: ${(await page.content()).slice(0, 2000)}`);
    await page.fill('#password', PASSWORD);
    await page.fill('#password2', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"]')]);
    if (!page.url().includes('/login')) throw new Error(`Setting the password failed: ${await page.textContent('main')} ${JSON.stringify(await page.context().cookies())}`);
    accepted.add(person);
  }
  await page.fill('#username', person);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"]')]);
  if (page.url() !== `${ws().url}/`) throw new Error(`Logging in failed at ${page.url()}: ${await page.textContent('main')}`);
  return { page, dialogs };
}

/** Submits one of the task page's forms and waits for the page it leads to. */
async function submitForm(page: Page, formId: string): Promise<number | undefined> {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(`#${formId} button[type="submit"]`)]);
  return response?.status();
}

/** The ids of the forms the task page offers this person. */
function offeredForms(page: Page): Promise<string[]> {
  return page.locator('#task-actions form').evaluateAll((forms) => forms.map((f) => f.id));
}

async function noticeText(page: Page): Promise<string> {
  return (await page.textContent('main .notice')) ?? '';
}

describe('the workspace in a browser', () => {
  let hq: Page;

  it('HQ opens the board: every task with its light in words and its state', async () => {
    ({ page: hq } = await logIn('hq-office-clerk', 'desktop'));
    await hq.goto(`${ws().url}/board/${PLAN}`);
    await expect(cellText(hq, 'cell-status')).resolves.toBe('已交办');
    expect(await hq.locator('#board-live table.board tbody tr').count()).toBe(20);
    expect(['绿灯', '黄灯', '红灯']).toContain((await hq.textContent(`#task-${TASK} .cell-light`))?.trim());
    // The same document all along: a reload or a navigation would lose this.
    await hq.evaluate("window.boardMarker = 'still here'");
    await hq.waitForSelector('#board-connection[data-state="live"]');
  });

  it('a community head acknowledges and reports; a note with <script> stays text', async () => {
    const { page, dialogs } = await logIn('langonglu-head', 'phone');
    const item = page.locator(`#inbox-items .item[data-task="${TASK}"]`);
    await expect(item.locator('.duty').textContent()).resolves.toBe('待签收');
    await screenshot(page, 'inbox-375');

    await page.click(`#inbox-items .item[data-task="${TASK}"] a.item-title`);
    await page.waitForURL(`${ws().url}${TASK_PATH}`);
    // Before acknowledging, acknowledging is all a unit is asked to do.
    expect(await offeredForms(page)).toEqual(['form-acknowledge']);
    await screenshot(page, 'task-375');

    expect(await submitForm(page, 'form-acknowledge')).toBe(200);
    expect(await offeredForms(page)).toContain('form-report');
    expect(await offeredForms(page)).not.toContain('form-acknowledge');
    expect(await page.textContent(`tr[data-unit="langonglu"]`)).toContain('兰宫路社区书记（示例）');
    await page.fill('#report-percent', '30');
    await page.fill('#report-note', SCRIPT_NOTE);
    await page.fill('#report-evidence', 'https://evidence.example.org/toilets/1.jpg');
    expect(await submitForm(page, 'form-report')).toBe(200);

    const note = page.locator('.timeline li[data-kind="progress.reported"] .typed').first();
    await expect(note.textContent()).resolves.toBe(SCRIPT_NOTE);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('script').count()).toBe(0);
    const evidence = page.locator('.timeline li[data-kind="progress.reported"] a.evidence').first();
    await expect(evidence.getAttribute('href')).resolves.toBe('https://evidence.example.org/toilets/1.jpg');
    await expect(page.locator('.timeline li[data-kind="progress.reported"] .host').first().textContent()).resolves.toContain('evidence.example.org');
  });

  it('a form posted without its CSRF token is refused and changes nothing', async () => {
    const { page } = await logIn('chengguan-head', 'desktop');
    await page.goto(`${ws().url}${TASK_PATH}`);
    await page.locator('#form-acknowledge input[name="_csrf"]').evaluate((input) => input.remove());
    expect(await submitForm(page, 'form-acknowledge')).toBe(403);
    expect(await noticeText(page)).toContain('CSRF');
    const state = await ws().duban.task(PLAN, TASK).state();
    expect(state.units.find((u) => u.unit === 'chengguan')?.acknowledgedAt).toBeUndefined();
  });

  it('the primary lead acknowledges, reports and submits; HQ sees 待审核 without a reload', async () => {
    const { page } = await logIn('chengguan-head', 'desktop');
    await page.goto(`${ws().url}${TASK_PATH}`);
    expect(await submitForm(page, 'form-acknowledge')).toBe(200);
    await page.fill('#report-percent', '100');
    await page.fill('#report-note', '30座公厕全部建成');
    expect(await submitForm(page, 'form-report')).toBe(200);
    await page.fill('#submit-summary', '已按期建成公厕30座，验收合格。');
    await page.fill('#submit-evidence', 'https://evidence.example.org/toilets/acceptance.pdf');
    expect(await submitForm(page, 'form-submit')).toBe(200);
    await expect(page.textContent('#task-status')).resolves.toBe('待审核');
    await screenshot(page, 'task-1280');

    await boardShows(hq, '待审核');
    expect(await hq.evaluate('window.boardMarker')).toBe('still here');
  });

  it('a supervisor returns it with reasons, the lead submits again, the supervisor approves; HQ sees 已办结', async () => {
    const { page: supervisor } = await logIn('supervisor-li', 'desktop');
    await supervisor.goto(`${ws().url}${TASK_PATH}`);
    expect(await offeredForms(supervisor)).toEqual(['form-approve', 'form-return']);
    await supervisor.fill('#review-reasons', '验收材料缺少照片\n请补充选址说明');
    expect(await submitForm(supervisor, 'form-return')).toBe(200);
    await expect(supervisor.textContent('#task-status')).resolves.toBe('办理中');
    await expect(supervisor.locator('.submission .reasons li').allTextContents()).resolves.toEqual(['验收材料缺少照片', '请补充选址说明']);
    await boardShows(hq, '办理中');

    const { page: lead } = await logIn('chengguan-head', 'phone');
    await lead.goto(`${ws().url}${TASK_PATH}`);
    await lead.fill('#submit-summary', '已补充照片和选址说明。');
    await lead.fill('#submit-evidence', 'https://evidence.example.org/toilets/photos.zip');
    expect(await submitForm(lead, 'form-submit')).toBe(200);

    await supervisor.goto(`${ws().url}${TASK_PATH}`);
    await supervisor.fill('#review-score', '95');
    expect(await submitForm(supervisor, 'form-approve')).toBe(200);
    await expect(supervisor.textContent('#task-status')).resolves.toBe('已办结');

    await boardShows(hq, '已办结');
    expect(await hq.evaluate('window.boardMarker')).toBe('still here');
    expect(await hq.getAttribute(`#task-${TASK}`, 'data-status')).toBe('approved');
  });

  it('writes screenshots of the inbox, the task page and the board at both widths; a phone scrolls nothing sideways and gets 44 px tap targets; English on request', async () => {
    await screenshot(hq, 'board-1280');
    await useViewport(hq, 'phone');
    await screenshot(hq, 'board-375');
    // English on request, the same board.
    await hq.goto(`${ws().url}/board/${PLAN}?lang=en`);
    expect(await hq.getAttribute('html', 'lang')).toBe('en');
    await expect(cellText(hq, 'cell-status')).resolves.toBe('Approved');
    const { page } = await logIn('langonglu-head', 'desktop');
    await screenshot(page, 'inbox-1280');
    // On a phone nothing scrolls sideways, and what is tapped is at least 44 px high.
    await useViewport(page, 'phone');
    for (const path of ['/', TASK_PATH, `/board/${PLAN}`]) {
      await page.goto(`${ws().url}${path}`);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      const heights = await page.locator('header a, header button, main button, main select, main input:not([type="hidden"]), main .item-title, main a.button').evaluateAll((elements) => elements.map((e) => e.getBoundingClientRect().height));
      expect(heights.length).toBeGreaterThan(0);
      expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    }
  });
});

/** Waits until HQ's board, without a reload, shows the task in `status` (the state cell's words). */
async function boardShows(page: Page, status: string): Promise<void> {
  await page.locator(`#task-${TASK} .cell-status`, { hasText: status }).waitFor({ timeout: 30_000 });
}

function cellText(page: Page, cell: string): Promise<string | undefined> {
  return page.textContent(`#task-${TASK} .${cell}`).then((text) => text?.trim());
}
