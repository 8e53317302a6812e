/**
 * `duban launch | amend | board | bulletin` through `main` in this process against a dev
 * server, success paths and refusals, each with its exit code and message, and the board
 * laid out by display width. The worker runs in this process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import stringWidth from 'string-width';
import { DubanClient } from '@duban/client';
import type { CampaignBoard } from '@duban/workflows';
import { serverAddress, serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';
import { duban as run, expectRun, repoRoot, tableColumns, type Run } from './run';

const seedFile = 'plans/xihu-2020.yaml';
const amendmentFile = 'plans/amendments/xihu-2021-tasks.yaml';
const campaignYear = DateTime.now().setZone('Asia/Shanghai').year + 1;

const dir = temporaryDirectory('duban-campaign-cli-');
const env = serverPerFile(() => startDevServerWithWorker(join(dir, 'audit.sqlite')));
const keys = keysPerFile();

/** `duban ARGS…` in English against this file's server, with the roster's keys. */
function duban(...args: string[]): Promise<Run> {
  return run(args, { env: { TEMPORAL_ADDRESS: serverAddress(env()), TEMPORAL_NAMESPACE: 'default', ...keys().env } });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('duban launch', () => {
  it('launches the year-rebased seed plan and prints what started', async () => {
    const run = await duban('launch', seedFile, '--campaign-year', String(campaignYear));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Launched plan xihu-2020: campaign duban/xihu-2020/campaign is starting its 20 task workflows');
    expect(run.stdout).toContain(`the campaign ends ${campaignYear + 2}-01-01 00:00`);
  });

  it('says "already launched" with the number of running tasks the second time', async () => {
    expectRun(await duban('launch', seedFile, '--campaign-year', String(campaignYear)), 0, 'stdout', ['Plan xihu-2020 is already launched (campaign duban/xihu-2020/campaign): 20 of its 20 tasks are still running. Nothing new was started.']);
    const json = await duban('launch', seedFile, '--campaign-year', String(campaignYear), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ started: false, alreadyRunning: 20, campaignWorkflowId: 'duban/xihu-2020/campaign' });
  });

  it('refuses a campaign year that is not a year (exit 2)', async () => {
    expectRun(await duban('launch', seedFile, '--campaign-year', 'next'), 2, 'stderr', ['--campaign-year must be a whole number from 2000 to 2100, got "next". [USAGE]']);
  });

  it('refuses to launch a plan whose campaign is over and says which year to use (exit 1)', async () => {
    expectRun(await duban('launch', seedFile), 1, 'stderr', ['ended 2021-12-31', '[CAMPAIGN_OVER]']);
  });

  it('refuses a missing plan file with its path (exit 1)', async () => {
    expectRun(await duban('launch', 'plans/missing.yaml', '--campaign-year', String(campaignYear)), 1, 'stderr', ['plans/missing.yaml:1:1 FILE_NOT_FOUND']);
  });
});

describe('duban amend', () => {
  it('applies the example amendment, then says it was already applied', async () => {
    const run = await duban('amend', seedFile, amendmentFile);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Amendment xihu-2021-tasks applied to plan xihu-2020: added tasks 21; moved deadlines of 7; reassigned none.');
    expectRun(await duban('amend', seedFile, amendmentFile), 0, 'stdout', ['Amendment xihu-2021-tasks was already applied to plan xihu-2020; nothing changed.']);
  });

  // [what is wrong, the amendment file's text, what stderr says given the file's path]: each exits 1.
  const refusedFiles: Array<[string, () => string, (path: string) => Array<string | RegExp>]> = [
    [
      'a malformed date, with file, line, path and fix',
      () => 'plan: xihu-2020\nid: late-fix\nissuedBy: hq-office-clerk\nreason: r\nmoveDeadlines:\n  - task: 7\n    deadline: { date: 2021-02-30, rule: by, source: s }\n    reason: r\n',
      (path) => [`${path}:7:`, 'PLAN_SCHEMA moveDeadlines[0].deadline.date', 'Fix: Write the date as YYYY-MM-DD', '[AMENDMENT_INVALID]'],
    ],
    ['broken YAML, at its line', () => 'plan: xihu-2020\nid: x\nreason: "unclosed\n', (path) => [new RegExp(`${path}:\\d+:\\d+ YAML_SYNTAX`)]],
    [
      'an unknown task and an unknown unit, each at its line',
      () =>
        'plan: xihu-2020\nid: unknown\nissuedBy: hq-office-clerk\nreason: r\nmoveDeadlines:\n  - task: 42\n    deadline: { date: 2021-06-30, rule: by, source: s }\n    reason: r\nreassign:\n  - task: 9\n    lead: [nowhere]\n    reason: r\n',
      (path) => [`${path}:6:11 UNKNOWN_TASK moveDeadlines[0].task: Plan xihu-2020 has no task 42.`, `${path}:11:12 UNKNOWN_UNIT reassign[0].lead[0]`],
    ],
    [
      'an issuer outside the HQ office',
      () => readFileSync(join(repoRoot, amendmentFile), 'utf8').replace('issuedBy: hq-office-clerk', 'issuedBy: jingfa-staff'),
      () => ['ROLE_MISSING issuedBy'],
    ],
  ];

  it.each(refusedFiles)('refuses an amendment with %s (exit 1)', async (what, text, says) => {
    const path = file(`${what.replace(/\W+/g, '-')}.yaml`, text());
    expectRun(await duban('amend', seedFile, path), 1, 'stderr', says(path));
  });

  it('refuses to amend a task that is already finished, with the campaign\'s code (exit 1)', async () => {
    const clerk = await keys().key('hq-office-clerk');
    await new DubanClient(env().client).task('xihu-2020', 3).as(clerk).cancel({ actor: 'hq-office-clerk', reason: '并入任务4' });
    const finished = file('finished.yaml', 'plan: xihu-2020\nid: move-3\nissuedBy: hq-office-clerk\nreason: r\nmoveDeadlines:\n  - task: 3\n    deadline: { date: 2021-06-30, rule: by, source: s }\n    reason: r\n');
    // The board hears of the cancellation through the task's signal: allow it to arrive.
    let run: Run;
    for (let attempt = 0; ; attempt += 1) {
      run = await duban('amend', seedFile, finished);
      if (run.code !== 0 || attempt > 10) break;
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refused: Cannot move the deadline of task 3: it is cancelled and its record is final. [TASK_FINISHED]');
  });

  it('refuses a missing amendment file and a missing argument', async () => {
    expectRun(await duban('amend', seedFile, 'plans/amendments/none.yaml'), 1, 'stderr', ['plans/amendments/none.yaml:1:1 FILE_NOT_FOUND']);
    expectRun(await duban('amend', seedFile), 2, 'stderr', ["missing required argument 'amendment'"]);
  });
});

// [the command, what it shows, the texts its output holds]: each exits 0.
const printed: Array<[string, string, Array<string | RegExp>]> = [
  [
    'board',
    'tasks by light with unit names as the plan writes them, counts per unit and the amendments',
    ['Board of plan xihu-2020 (campaign running', '2021年老旧小区改造（示例）', 'Per primary lead unit:', /城建办\s+11\s/, 'Amendments: xihu-2021-tasks'],
  ],
  [
    'bulletin',
    'a preview while no bulletin has been sent',
    ['No bulletin has been sent yet (next dispatch', 'Preview of the next bulletin of plan xihu-2020', '21 tasks:', 'Overdue (red), ranked by unit:'],
  ],
];

describe('duban board and duban bulletin on the amended campaign', () => {
  it.each(printed)('duban %s prints %s', async (command, _shows, texts) => {
    expectRun(await duban(command, seedFile), 0, 'stdout', texts);
  });
});

describe('duban board', () => {
  it.each(['en', 'zh'])('lines up coloured lights and Chinese titles under their columns by display width (--lang %s)', async (lang) => {
    const shown = await run(['--lang', lang, 'board', seedFile], { env: { TEMPORAL_ADDRESS: serverAddress(env()) }, color: true });
    expect(shown.code).toBe(0);
    // Coloured: the light cells carry ANSI codes, which take no columns on a terminal.
    expect(shown.stdout).toContain('\u001b[32m');
    const { columns, rows } = tableColumns(shown.stdout, stringWidth);
    expect(columns).toHaveLength(8);
    expect(rows).toHaveLength(21);
    for (const cells of rows) expect(cells).toEqual(columns);
  });

  it('prints the board as JSON and in Chinese', async () => {
    const json = await duban('board', seedFile, '--json');
    const board = JSON.parse(json.stdout) as CampaignBoard;
    expect(board.tasks).toHaveLength(21);
    expect(board.counts.reduce((n, c) => n + c.total, 0)).toBe(21);
    expect(board.tasks.find((t) => t.taskNumber === 3)?.status).toBe('cancelled');
    const zh = await duban('--lang', 'zh', 'board', seedFile);
    expect(zh.stdout).toContain('按牵头单位统计：');
    expect(zh.stdout).toContain('任务数');
  });

  it('refuses a plan that was never launched (exit 1)', async () => {
    const other = file('other.yaml', readFileSync(join(repoRoot, seedFile), 'utf8').replace('id: xihu-2020', 'id: other-plan'));
    expectRun(await duban('board', other), 1, 'stderr', ['Plan other-plan has no campaign (duban/other-plan/campaign): launch it first with `duban launch PLAN`. [CAMPAIGN_NOT_FOUND]']);
  });
});

describe('duban bulletin', () => {
  it('prints the preview as JSON', async () => {
    const run = await duban('bulletin', seedFile, '--preview', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ preview: true, bulletin: { number: 0, totals: { tasks: 21, cancelled: 1 } } });
  });

  it('refuses an unknown option (exit 2)', async () => {
    expectRun(await duban('bulletin', seedFile, '--latest'), 2, 'stderr', ["unknown option '--latest'"]);
  });
});
