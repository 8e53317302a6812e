/**
 * `duban plan validate | show | migrate` in-process through `main` (no server needed), the table
 * layout by display width, and the smoke tests of the real binary: help, an exit code,
 * a usage error.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    .replace('- number: 4\n        printed: "4."\n        title', '- number: 4\n        printed: "4."\n        titel');
  writeFileSync(brokenFile, broken);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duban plan validate', () => {
  it('exits 0 and says the seed plan is valid', async () => {
    const run = await duban('plan', 'validate', seedFile);
    expect(run.code).toBe(0);
    // The seed is in format 2: its top-level parts are sections.
    expect(run.stdout).toContain('valid plans/xihu-2020.yaml: plan xihu-2020, 10 sections, 20 tasks, 3 milestones');
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
    expect(run.stderr).toMatch(/PLAN_SCHEMA sections\[1\]\.tasks\[1\]\.titel/);
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

  it('shows a format-2 plan: co-leads together, whole-year work due at the end, and every dated node, recurring duty and filing', async () => {
    const district = join(repoRoot, 'test', 'plan', 'fixtures', 'district-v2.yaml');
    const zh = await duban('--lang', 'zh', 'plan', 'show', district);
    expect(zh.code).toBe(0);
    expect(zh.stdout).toMatch(/\n1\s+1\s+重大项目建设\s+区发改委、区住建局（共同牵头）\s+各街镇\s+2021年12月31日前/);
    expect(zh.stdout).toMatch(/\n2\s+1\s+储备清单\s+区发改委\s+各街道\s+2021年11月底前/);
    expect(zh.stdout).toMatch(/\n1\s+每月23日前报送进展（共10次）\s+2021年3月23日前 … 2021年12月23日前/);
    expect(zh.stdout).toMatch(/\n2\s+出台市级清单\s+2021年8月底前/);
    expect(zh.stdout).toMatch(/\n2\s+报市发改委备案\s+2021年12月15日前/);
    expect(zh.stdout).not.toContain('重点行动'); // no milestones, no milestone table
    const en = await duban('plan', 'show', district);
    expect(en.stdout).toMatch(/\n1\s+每季度调度 \(4 times\)\s+by 2021-03-31 … by 2021-12-31/);
    expect(en.stdout).not.toMatch(/T\d\d:\d\d|2022-01-01/);
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

describe('duban plan migrate', () => {
  const v1Text = readFileSync(join(repoRoot, 'test', 'plan', 'fixtures', 'xihu-2020.v1.yaml'), 'utf8');
  const copy = (name: string, text = v1Text) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('upgrades a format-1 plan in place, says what it changed, keeps its comments, and the result validates', async () => {
    const file = copy('migrate-me.yaml');
    const run = await duban('plan', 'migrate', file);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${file}:33: added "format: 2" (the plan format version).`);
    expect(run.stdout).toContain(`${file}:149: "actions" is now "sections": 10 top-level sections with their 20 tasks`);
    expect(run.stdout).toContain(`Upgraded ${file} to plan format 2`);
    const after = readFileSync(file, 'utf8');
    expect(after.split('\n').filter((l) => l !== 'format: 2').map((l) => (l === 'sections:' ? 'actions:' : l))).toEqual(v1Text.split('\n'));
    expect(after).toContain('# Rule stated under task 3 and applied to every task');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const valid = await duban('plan', 'validate', file);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('10 sections, 20 tasks, 3 milestones');
  });

  it('says it in Chinese with --lang zh, and as JSON with --json', async () => {
    const zh = await duban('--lang', 'zh', 'plan', 'migrate', copy('zh.yaml'));
    expect(zh.code).toBe(0);
    expect(zh.stdout).toContain('已加上“format: 2”');
    expect(zh.stdout).toContain('“actions”已改为“sections”：10 个一级部分及其 20 项任务');
    const json = await duban('plan', 'migrate', copy('json.yaml'), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ format: 2, written: true, changes: [{ kind: 'format-added', line: 33 }, { kind: 'actions-renamed', sections: 10, tasks: 20 }] });
  });

  it('refuses a plan already in format 2 politely, exit 1, and leaves it as it was', async () => {
    const run = await duban('plan', 'migrate', seedFile);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('plans/xihu-2020.yaml is already in plan format 2: there is nothing to migrate, and the file is unchanged. [PLAN_FORMAT_CURRENT]');
    expect(readFileSync(join(repoRoot, seedFile), 'utf8')).toBe(seedText);
  });

  it('writes nothing with --dry-run', async () => {
    const file = copy('dry.yaml');
    const run = await duban('plan', 'migrate', file, '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing written (--dry-run)');
    expect(readFileSync(file, 'utf8')).toBe(v1Text);
  });

  it('lists the problems of a plan that does not load, exit 1, and leaves the file byte for byte', async () => {
    const broken = v1Text.replace('timeZone: Asia/Shanghai', 'timeZone: Beijing');
    const file = copy('broken-v1.yaml', broken);
    const run = await duban('plan', 'migrate', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('INVALID_TIME_ZONE timeZone');
    expect(run.stderr).toContain(`duban plan migrate ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });

  it('exits 1 with FILE_NOT_FOUND for a file that does not exist', async () => {
    const run = await duban('plan', 'migrate', join(dir, 'no-such.yaml'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[FILE_NOT_FOUND]');
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
