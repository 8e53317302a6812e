/**
 * The workspace's pages, rendered from view models without a server: text people typed
 * stays text (Eta escapes it), only http(s) links become links and show their host, the
 * forms are exactly the actions the model offers and each carries `_csrf`, and every page
 * speaks Chinese first with English on request.
 */
import { parse, type HTMLElement } from 'node-html-parser';
import type { AuditModel, BoardModel, BulletinModel, InboxModel, LocalTime, TaskModel, ViewContext } from '@duban/web';
// The page functions, as the server renders with them (the package's entry exports the server).
import { views } from '@duban/web/dist/views';

const at = (text: string, iso = '2020-06-01T10:00:00.000+08:00'): LocalTime => ({ iso, text });
const SCRIPT = '<script>window.__pwned = 1; alert("x")</script>';

const zh: ViewContext = { lang: 'zh', csrfToken: 'token-123', person: { id: 'chengguan-head', name: '城管办主任（示例）', unit: 'chengguan', unitName: '城管办' }, path: '/tasks/xihu-2020/3' };
const en: ViewContext = { ...zh, lang: 'en' };

function taskModel(overrides: Partial<TaskModel> = {}): TaskModel {
  const person = { id: 'chengguan-head', name: '城管办主任（示例）', unitName: '城管办' };
  return {
    plan: { id: 'xihu-2020', title: '城市建管十大提升行动街道实施方案' },
    taskNumber: 3,
    title: '推进城市绿道建设',
    path: ['一、公园绿道建设大提升行动'],
    status: 'in-progress',
    light: 'yellow',
    percent: 40,
    deadline: at('2020年12月31日', '2021-01-01T00:00:00.000+08:00'),
    deadlineWords: '2020年底',
    escalation: { level: 1, rung: 'reminder', rungs: ['reminder'] },
    primaryLead: { code: 'chengguan', name: '城管办' },
    units: [
      { unit: { code: 'chengguan', name: '城管办' }, role: 'primary', acknowledgedAt: at('2020年1月2日 09:00'), acknowledgedBy: person, percent: 40, lastReportAt: at('2020年6月1日 10:00'), reports: 2 },
      { unit: { code: 'langonglu', name: '兰宫路社区' }, role: 'responsible', percent: 0, reports: 0 },
    ],
    submissions: [],
    extensions: [],
    timeline: [
      {
        seq: 7,
        at: at('2020年6月1日 10:00'),
        actor: person,
        kind: 'progress.reported',
        summary: '进度 40%',
        text: `已完成选线 ${SCRIPT}`,
        links: [
          { text: 'https://evidence.example.org/photos/1', href: 'https://evidence.example.org/photos/1', host: 'evidence.example.org' },
          // A model that wrongly carries an href for a javascript: link still gets no link.
          { text: 'javascript:alert(1)', href: 'javascript:alert(1)' },
          { text: 'data:text/html,<b>x</b>' },
        ],
      },
      { seq: 1, at: at('2020年1月1日 00:00'), kind: 'task.assigned', summary: '', links: [] },
    ],
    earlierEvents: 0,
    actions: { base: '/tasks/xihu-2020/3', report: { percent: 40 } },
    ...overrides,
  };
}

const document = (html: string): HTMLElement => parse(html);

/** Every POST form of a page carries the page's CSRF token as `_csrf`. */
function expectCsrfOnEveryPostForm(page: HTMLElement, token: string): void {
  const forms = page.querySelectorAll('form').filter((f) => (f.getAttribute('method') ?? 'get').toLowerCase() === 'post');
  expect(forms.length).toBeGreaterThan(0);
  for (const form of forms) {
    expect(form.querySelector('input[name="_csrf"]')?.getAttribute('value')).toBe(token);
  }
}

/** The actions the task page offers, by the path each form posts to. */
const offered = (page: HTMLElement): string[] =>
  page
    .querySelectorAll('#task-actions form')
    .map((f) => `${f.getAttribute('action')?.replace('/tasks/xihu-2020/3/', '')}:${f.querySelector('input[name="decision"]')?.getAttribute('value') ?? ''}`)
    .sort();

describe('the task page', () => {
  it('shows a note with a <script> as text: escaped, no script element', () => {
    const html = views.taskPage(taskModel(), zh);
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).toContain('&lt;script&gt;window.__pwned = 1; alert(&quot;x&quot;)&lt;/script&gt;');
    const page = document(html);
    expect(page.querySelectorAll('script')).toHaveLength(0);
    expect(page.querySelector('.timeline .typed')?.textContent).toContain('<script>window.__pwned');
  });

  it('links only http(s) evidence, with its host beside it; javascript: and data: stay text', () => {
    const page = document(views.taskPage(taskModel(), zh));
    const links = page.querySelectorAll('.timeline a.evidence');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://evidence.example.org/photos/1']);
    expect(links[0]?.getAttribute('rel')).toContain('noopener');
    expect(page.querySelector('.timeline .host')?.textContent).toContain('evidence.example.org');
    const notLinks = page.querySelectorAll('.timeline .not-link').map((s) => s.textContent);
    expect(notLinks).toEqual(['javascript:alert(1)', 'data:text/html,<b>x</b>']);
    expect(page.querySelectorAll('a').some((a) => /^\s*(javascript|data):/i.test(a.getAttribute('href') ?? ''))).toBe(false);
  });

  it('offers exactly the forms the model allows, each with the CSRF token', () => {
    const unitHead = document(views.taskPage(taskModel({ actions: { base: '/tasks/xihu-2020/3', acknowledge: true, report: { percent: 40 } } }), zh));
    expect(offered(unitHead)).toEqual(['acknowledge:', 'report:']);
    expect(unitHead.querySelector('#report-percent')?.getAttribute('value')).toBe('40');
    expectCsrfOnEveryPostForm(unitHead, 'token-123');

    const supervisor = document(views.taskPage(taskModel({ status: 'submitted', actions: { base: '/tasks/xihu-2020/3', review: { maxScore: 100, noteRequired: true } } }), zh));
    expect(offered(supervisor)).toEqual(['review:approve', 'review:return']);
    expect(supervisor.querySelector('#review-score')?.getAttribute('max')).toBe('100');
    expect(supervisor.querySelector('#review-note')?.hasAttribute('required')).toBe(true);
    expectCsrfOnEveryPostForm(supervisor, 'token-123');

    const pending = { requestedBy: { id: 'chengguan-head', name: '城管办主任（示例）' }, requestedAt: at('2020年6月1日'), reason: `天气 ${SCRIPT}`, from: at('2020年12月31日'), to: at('2021年3月31日') };
    const hq = document(
      views.taskPage(taskModel({ extensions: [pending], actions: { base: '/tasks/xihu-2020/3', decideExtension: { pending, latestDate: '2021-12-31' }, requestExtension: { currentDate: '2020-12-31' } } }), zh),
    );
    expect(offered(hq)).toEqual(['extension-decision:approve', 'extension-decision:refuse', 'extension:']);
    expect(hq.querySelectorAll('script')).toHaveLength(0);

    const watcher = document(views.taskPage(taskModel({ actions: { base: '/tasks/xihu-2020/3' } }), zh));
    expect(offered(watcher)).toEqual([]);
    expect(watcher.querySelector('#task-actions .empty')?.textContent).toBe('您在此任务上暂无可办理的事项。');
  });

  it('names the light in words beside its colour and marks the ladder rung', () => {
    const page = document(views.taskPage(taskModel({ escalation: { level: 2, rung: 'supervision-notice', rungs: ['reminder', 'supervision-notice'] } }), zh));
    const light = page.querySelector('#task-light .light');
    expect(light?.classList.contains('light-yellow')).toBe(true);
    expect(light?.textContent).toBe('黄灯');
    expect(page.querySelector('.ladder [aria-current="step"]')?.textContent).toContain('督办单');
    expect(page.querySelectorAll('.ladder .climbed').map((r) => r.textContent.replace(/（.*）/, ''))).toEqual(['催办', '督办单']);
    expect(page.querySelector('#task-status')?.textContent).toBe('办理中');
  });

  it('shows the number as printed only when it says more than the task number', () => {
    const printed = (p: string) => document(views.taskPage(taskModel({ printed: p }), zh)).querySelector('h1 .task-number')?.textContent;
    expect(printed('（三）2')).toBe('任务3 · （三）2');
    expect(printed('3.')).toBe('任务3');
  });

  it('speaks English on request, with the names and times the model gives', () => {
    const page = document(views.taskPage(taskModel(), en));
    expect(page.querySelector('html')?.getAttribute('lang')).toBe('en');
    expect(page.querySelector('#task-light .light')?.textContent).toBe('Yellow');
    expect(page.querySelector('.lang-switch')?.getAttribute('href')).toBe('/tasks/xihu-2020/3?lang=zh');
    expect(page.querySelector('.timeline time')?.getAttribute('datetime')).toBe('2020-06-01T10:00:00.000+08:00');
    expect(page.querySelector('.timeline li strong')?.textContent).toBe('Progress reported');
  });
});

describe('the other pages', () => {
  const totals = { tasks: 2, green: 1, yellow: 0, red: 1, approved: 0, cancelled: 0 };
  const board: BoardModel = {
    plan: { id: 'xihu-2020', title: '城市建管十大提升行动街道实施方案' },
    campaignYear: 2020,
    status: 'running',
    updatedAt: at('2020年6月1日 10:00'),
    filters: { light: 'red' },
    units: [{ code: 'chengguan', name: '城管办' }],
    counts: [{ unit: { code: 'chengguan', name: '城管办' }, total: 2, green: 1, yellow: 0, red: 1, escalated: 1, approved: 0, cancelled: 0 }],
    tasks: [
      { taskNumber: 3, title: `绿道 ${SCRIPT}`, href: '/tasks/xihu-2020/3', status: 'in-progress', light: 'red', percent: 10, escalationLevel: 1, rung: 'reminder', primaryLead: { code: 'chengguan', name: '城管办' }, deadline: at('2020年12月31日') },
    ],
    totals,
    eventsUrl: '/board/xihu-2020/events?light=red',
    version: 'v1',
  };

  it('board: the live part is the same in the page and alone, rows carry light and state, the script is a file', () => {
    const html = views.boardPage(board, zh);
    const page = document(html);
    const scripts = page.querySelectorAll('script');
    expect(scripts.map((s) => s.getAttribute('src'))).toEqual(['/static/board.js']);
    expect(scripts[0]?.textContent).toBe('');
    const live = page.querySelector('#board-live');
    expect(live?.getAttribute('data-events')).toBe('/board/xihu-2020/events?light=red');
    expect(live?.getAttribute('data-version')).toBe('v1');
    const row = page.querySelector('#task-3');
    expect(row?.querySelector('.cell-light')?.textContent.trim()).toBe('红灯');
    expect(row?.querySelector('.cell-status')?.textContent).toBe('办理中');
    expect(row?.querySelector('.cell-rung')?.textContent).toBe('催办');
    expect(html).not.toContain('<script>window.__pwned');
    expect(page.querySelector('#filter-light option[selected]')?.getAttribute('value')).toBe('red');
    // The SSE update carries exactly the part the page shows.
    expect(views.boardLive(board, zh).trim()).toBe(live?.outerHTML.trim());
    expect(page.querySelector('#board-connection a')?.getAttribute('href')).toBe('/board/xihu-2020?light=red');
  });

  it('inbox: duties, lights in words, the rung and the due date; nothing-to-do said in words', () => {
    const inbox: InboxModel = {
      plans: [{ id: 'xihu-2020', title: '计划' }],
      items: [
        { planId: 'xihu-2020', taskNumber: 3, title: '绿道', href: '/tasks/xihu-2020/3', status: 'assigned', light: 'red', percent: 0, rung: 'interview', escalationLevel: 3, due: at('2020年1月3日 00:00'), overdue: true, duty: 'acknowledge', unitRole: 'primary' },
      ],
      watching: [],
    };
    const page = document(views.inboxPage(inbox, { ...zh, path: '/' }));
    const item = page.querySelector('#inbox-items .item');
    expect(item?.querySelector('.duty')?.textContent).toBe('待签收');
    expect(item?.querySelector('.light')?.textContent).toBe('红灯');
    expect(item?.querySelector('.rung')?.textContent).toBe('约谈');
    expect(item?.querySelector('.due strong')?.textContent).toBe('已逾期');
    expect(item?.querySelector('.role')?.textContent).toBe('牵头单位');
    expect(page.querySelector('nav a[aria-current="page"]')?.textContent).toBe('我的待办');
    expectCsrfOnEveryPostForm(page, 'token-123');
  });

  it('login, invitation and second factor: forms with the token; what was typed comes back escaped', () => {
    const visitor: ViewContext = { lang: 'zh', csrfToken: 'token-123', path: '/login' };
    const login = document(views.loginPage({ username: `"><img src=x onerror=alert(1)>`, notice: { kind: 'error', text: '用户名或密码错误', code: 'LOGIN_FAILED' } }, visitor));
    expect(login.querySelector('#username')?.getAttribute('value')).toBe(`"><img src=x onerror=alert(1)>`);
    expect(login.querySelectorAll('img')).toHaveLength(0);
    expect(login.querySelector('.notice-error')?.textContent).toContain('用户名或密码错误');
    expect(login.querySelector('nav')).toBeNull();
    expectCsrfOnEveryPostForm(login, 'token-123');

    const invite = document(
      views.invitePage(
        {
          action: '/invite/abc',
          person: { id: 'chengguan-head', name: '城管办主任（示例）' },
          plans: [{ id: 'xihu-2020', title: '计划' }],
          expiresAt: at('2020年1月8日 10:00'),
          totpSecret: 'JBSWY3DPEHPK3PXP',
          totpUri: 'otpauth://totp/duban:chengguan-head?secret=JBSWY3DPEHPK3PXP',
          totpQrDataUrl: 'data:image/png;base64,iVBORw0KGgo=',
          minPasswordLength: 12,
        },
        { ...visitor, path: '/invite/abc' },
      ),
    );
    expect(invite.querySelector('form')?.getAttribute('action')).toBe('/invite/abc');
    expect(invite.querySelector('img.qr')?.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(invite.querySelector('#password')?.getAttribute('minlength')).toBe('12');
    expectCsrfOnEveryPostForm(invite, 'token-123');

    const totp = document(views.totpPage({ person: { id: 'x', name: '某人' } }, { ...visitor, path: '/totp' }));
    expect(totp.querySelector('form')?.getAttribute('action')).toBe('/totp');
    expectCsrfOnEveryPostForm(totp, 'token-123');
  });

  it('bulletin, assessment, audit and error pages render in both languages', () => {
    const view = { number: 0, at: at('2020年6月1日'), periodStart: at('2020年5月25日'), periodEnd: at('2020年6月1日'), overdue: [], atRisk: [{ rank: 1, unit: { code: 'chengguan', name: '城管办' }, tasks: [{ taskNumber: 3, title: '绿道', href: '/tasks/xihu-2020/3', light: 'red' as const, percent: 10, deadline: at('2020年12月31日'), escalationLevel: 1 }] }], escalationsOpened: [], escalationsClosed: [], breakGlass: [], totals };
    const bulletin: BulletinModel = { plan: board.plan, preview: view, earlier: [] };
    const audit: AuditModel = { plan: board.plan, checkedAt: at('2020年6月1日'), status: 'ok', chains: [{ name: '绿道', taskNumber: 3, seq: 7, hash: 'ab12', verified: true }], problems: [] };
    for (const ctx of [zh, en]) {
      const b = document(views.bulletinPage(bulletin, ctx));
      expect(b.querySelector('.ranking strong')?.textContent).toBe('城管办');
      const a = document(views.assessmentPage({ plan: board.plan, final: false, rows: [{ unit: { code: 'chengguan', name: '城管办' }, tasks: 2, approved: 1, cancelled: 0, averageScore: 92.5, yellows: 1, reds: 0, rungs: 1, commendations: 0 }], ledgerHref: '/ledger/xihu-2020.csv' }, ctx));
      expect(a.querySelector('a[download]')?.getAttribute('href')).toBe('/ledger/xihu-2020.csv');
      const u = document(views.auditPage(audit, ctx));
      expect(u.querySelector('#audit-status')?.getAttribute('data-status')).toBe('ok');
      const e = document(views.errorPage({ status: 403, notice: { kind: 'error', text: SCRIPT, code: 'CSRF' }, back: '/' }, ctx));
      expect(e.querySelectorAll('script')).toHaveLength(0);
      expect(e.querySelector('h1')?.textContent).toBe(ctx.lang === 'zh' ? '出错了（403）' : 'Something went wrong (403)');
    }
  });
});
