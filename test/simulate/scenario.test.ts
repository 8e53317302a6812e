/**
 * Scenario files: the committed JSON Schema matches the zod schema, the shipped scenarios
 * play the seed plan, and a malformed scenario is refused with every problem located by
 * line and column, exit 1, before any server starts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanFile } from '@duban/plan';
import { readScenarioFile, scenarioJsonSchema } from '@duban/simulate';
import { temporaryDirectory, removeTemporaryDirectories } from '../harness';
import { duban, repoRoot } from '../cli/run';

afterAll(removeTemporaryDirectories);

describe('scenarios/scenario.schema.json', () => {
  it('is up to date with the zod schema (regenerate with `pnpm --filter @duban/simulate run schema`)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(repoRoot, 'scenarios', 'scenario.schema.json'), 'utf8'));
    expect(committed).toEqual(scenarioJsonSchema());
  });
});

describe('the shipped scenarios', () => {
  it.each(['default.yaml', 'chengjian-late-task4.yaml'])('%s is valid for the seed plan, its amendment file loaded', async (name) => {
    const plan = await loadPlanFile(join(repoRoot, 'plans', 'xihu-2020.yaml'));
    const result = await readScenarioFile(join(repoRoot, 'scenarios', name), plan, { cwd: repoRoot });
    expect(result.ok && [...result.loaded.amendments.values()].map((a) => a.id)).toEqual(['xihu-2021-tasks']);
  });
});

/** A scenario of the seed plan with one mistake per line, at known lines. */
const BROKEN = `id: broken
title: { zh: 错误示例, en: Broken }
plan: xihu-2020
defaults: { profile: sometimes }
units:
  chengjian: { reportEvery: 10 days }
  nowhere: { profile: slow }
tasks:
  "99": { profile: slow }
reviewers: { returnRate: 2, moody: true }
events:
  - on: 2019-06-01
    change: { unit: chengjian, delay: P10D }
  - on: 2020-03-01
    extension: { task: 4, to: 2020-12-31 }
    change: { task: 4, delay: P10D }
`;

describe('a malformed scenario', () => {
  it('is refused with every problem located (file:line:column CODE path) and exit 1, before any server starts', async () => {
    const dir = temporaryDirectory('duban-scenario-');
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, BROKEN);
    const run = await duban(['simulate', '--scenario', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const located = run.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
    const problems = located.map((l) => /^.+?:(\d+):\d+ (\w+) (\S+):/.exec(l)?.slice(1, 4));
    expect(problems).toEqual([
      ['4', 'PLAN_SCHEMA', 'defaults.profile'],
      ['6', 'INVALID_DURATION', 'units.chengjian.reportEvery'],
      ['7', 'UNKNOWN_UNIT', 'units.nowhere'],
      ['9', 'TASK_NOT_IN_PLAN', 'tasks.99'],
      ['10', 'PLAN_SCHEMA', 'reviewers.returnRate'],
      ['10', 'PLAN_SCHEMA', 'reviewers.moody'],
      ['12', 'EVENT_OUTSIDE_CAMPAIGN', 'events[0].on'],
      ['14', 'PLAN_SCHEMA', 'events[1]'],
    ]);
    expect(run.stderr).toContain(`${file} has 8 problems; fix them and run \`duban simulate\` again. [SCENARIO_INVALID]`);
    // Each problem says how to fix it.
    for (const line of located) expect(line).toMatch(/ Fix: \S/);
  });

  it('names the amendment file an event points at, with that file\'s own line, when it cannot be read', async () => {
    const dir = temporaryDirectory('duban-scenario-');
    const file = join(dir, 'missing-amendment.yaml');
    writeFileSync(file, 'id: missing\ntitle: { zh: 缺文件, en: Missing file }\nevents:\n  - on: 2020-05-01\n    amend: nowhere.yaml\n');
    const run = await duban(['simulate', '--scenario', file, '--json']);
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stderr.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { error?: { code: string; details: { problems: Array<{ code: string; file: string }> } } };
    expect(error.error?.code).toBe('SCENARIO_INVALID');
    expect(error.error?.details.problems).toEqual([expect.objectContaining({ code: 'FILE_NOT_FOUND', file: expect.stringContaining('nowhere.yaml') })]);
  });

  it('refuses --until that is not a date, as a usage error (exit 2)', async () => {
    const run = await duban(['simulate', '--until', 'next-june']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--until needs a date such as 2027-06-30, got "next-june".');
  });
});
