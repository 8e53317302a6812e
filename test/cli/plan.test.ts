/**
 * `duban plan validate | show` in-process through `main` (no server needed), the table
 * layout by display width, and the smoke tests of the real binary: help, an exit code,
 * a usage error.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import type { PlanProblem, PlanSummary } from '@duban/plan';
import { duban as run, dubanBinary, repoRoot, tableColumns } from './run';

const seedFile = 'plans/xihu-2020.yaml';
const seedText = readFileSync(join(repoRoot, seedFile), 'utf8');
const sourceLines = readFileSync(join(repoRoot, 'test', 'plan', 'fixtures', 'plan-2020.zh.txt'), 'utf8').split('\n');

const duban = (...args: string[]) => run(args);

let dir: string;
let brokenFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'duban-plan-cli-'));
  brokenFile = join(dir, 'broken.yaml');
  // Three problems: an invalid zone, a supervisor outside the roster, an unknown lead unit.
  const broken = seedText
    .replace('timeZone: Asia/Shanghai', 'timeZone: Beijing')
    .replace('members: [supervisor-li, supervisor-zhou]', 'members: [supervisor-li, supervisor-wang]')
    .replace('- number: 4\n        title', '- number: 4\n        titel');
  writeFileSync(brokenFile, broken);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duban plan validate', () => {
  it('exits 0 and says the seed plan is valid', async () => {
    const run = await duban('plan', 'validate', seedFile);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid plans/xihu-2020.yaml: plan xihu-2020, 10 actions, 20 tasks, 3 milestones');
  });

  it('prints a JSON report with --json', async () => {
    const run = await duban('plan', 'validate', seedFile, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ valid: true, file: seedFile, id: 'xihu-2020', actions: 10, tasks: 20, milestones: 3 });
  });

  it('exits 1 and lists every problem with file, line and fix for an invalid plan', async () => {
    const run = await duban('plan', 'validate', brokenFile);
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith(`${brokenFile}:`));
    expect(lines).toHaveLength(4);
    expect(run.stderr).toContain('INVALID_TIME_ZONE timeZone');
    expect(run.stderr).toContain('SUPERVISOR_NOT_IN_ROSTER organization.groups[1].members[1]');
    expect(run.stderr).toMatch(/PLAN_SCHEMA actions\[1\]\.tasks\[1\]\.titel/);
    expect(run.stderr).toContain('[PLAN_INVALID]');
  });

  it('prints the problems as JSON on stdout with --json and still exits 1', async () => {
    const run = await duban('plan', 'validate', brokenFile, '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { valid: boolean; problems: PlanProblem[] };
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => p.code).sort()).toEqual(['INVALID_TIME_ZONE', 'PLAN_SCHEMA', 'PLAN_SCHEMA', 'SUPERVISOR_NOT_IN_ROSTER']);
    for (const problem of report.problems) {
      expect(problem.line).toBeGreaterThan(1);
      expect(problem.fix).not.toBe('');
    }
  });

  it('exits 1 with FILE_NOT_FOUND for a file that does not exist', async () => {
    const run = await duban('plan', 'validate', 'plans/no-such-plan.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FILE_NOT_FOUND');
  });

  it('exits 2 when the file argument is missing', async () => {
    const run = await duban('plan', 'validate');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'file'");
  });
});

describe('duban plan show', () => {
  it('lists 10 actions, 20 tasks and 3 milestones that match the source task list line by line', async () => {
    const run = await duban('plan', 'show', seedFile, '--json');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as PlanSummary;
    expect(summary.actions).toHaveLength(10);
    expect(summary.tasks).toHaveLength(20);
    expect(summary.milestones.map((m) => m.source)).toEqual(['2020年国庆节前', '2021年元旦前', '2021年底']);

    const unitName = new Map(summary.units.map((u) => [u.code, u.name]));
    const fromSource = sourceLines
      .map((line) => /^(\d+)\.(.+?)。.*〔牵头单位:(.+?),责任单位:(.+?)〕$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ number: Number(m[1]), title: m[2], lead: m[3] }));
    const fromShow = summary.tasks.map((t) => ({
      number: t.number,
      title: t.title.zh,
      lead: [t.primaryLead, ...t.assistingLeads].map((code) => unitName.get(code)).join('、'),
    }));
    expect(fromShow).toEqual(fromSource);
  });

  it('prints a table with one row per task', async () => {
    const run = await duban('plan', 'show', seedFile);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/No\s+Action\s+Title\s+Primary lead\s+Assisting\s+Responsible\s+Milestones\s+Deadline/);
    expect(run.stdout).toMatch(/\n8\s+5\s+“厕所革命”行动\s+城管办\s+兰宫路社区/);
    expect(run.stdout).toMatch(/\n15\s+8\s+城市交通场站环境整治.*by 2021-12-31/);
  });

  it('re-dates the plan with --campaign-year, keeping National Day on October 1', async () => {
    const run = await duban('plan', 'show', seedFile, '--campaign-year', '2027', '--json');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as PlanSummary;
    expect(summary.campaign).toEqual({ start: '2027-01-01', end: '2028-12-31' });
    expect(summary.milestones[0]?.dueAt).toBe('2027-10-01T00:00:00.000+08:00');
  });

  it('exits 2 for a campaign year that is not a year', async () => {
    const run = await duban('plan', 'show', seedFile, '--campaign-year', 'next');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--campaign-year needs a four-digit year');
  });

  it('exits 1 and prints the problems for an invalid plan', async () => {
    const run = await duban('plan', 'show', brokenFile);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('INVALID_TIME_ZONE');
  });

  it.each(['en', 'zh'])('lines up every cell under its column by display width, quoted Chinese titles included (--lang %s)', async (lang) => {
    const shown = await duban('--lang', lang, 'plan', 'show', seedFile);
    expect(shown.stdout).toContain('“厕所革命”行动');
    const { columns, rows } = tableColumns(shown.stdout, stringWidth);
    expect(columns).toHaveLength(8);
    expect(rows).toHaveLength(20);
    // Task 8 has no assisting unit: its cells still start where their columns do.
    for (const cells of rows) for (const start of cells) expect(columns).toContain(start);
    expect(rows.filter((cells) => cells.length === columns.length).length).toBeGreaterThan(0);
  });
});

describe('the duban binary', () => {
  it('prints its help and exits 0', async () => {
    const run = await dubanBinary(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: duban [options] [command]');
    expect(run.stdout).toContain('task');
  });

  it('exits 1 with the problems of an invalid plan on stderr', async () => {
    const run = await dubanBinary(['plan', 'validate', brokenFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[PLAN_INVALID]');
  });

  it('exits 2 for a usage error', async () => {
    const run = await dubanBinary(['plan', 'show', seedFile, '--campaign-year', 'next']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[USAGE]');
  });
});
