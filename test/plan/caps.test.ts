/**
 * Plan files are capped: the file's size, every text field's length and every list's
 * entries, with a located problem (file, line, path, the limit and the actual size) in
 * the plan package's problem format, from `parsePlan`, `readPlanFile`, `duban plan
 * validate` and `duban launch` (which reads the plan before it connects anywhere). The
 * caps still take the largest real plans: 10,000 tasks load.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAmendmentFile, parsePlan, PLAN_LIMITS, PlanProblemCode, readPlanFile, type Plan, type PlanInput, type PlanProblem } from '@duban/plan';
import { removeTemporaryDirectories, SEED_PLAN_PATH, temporaryDirectory } from '../harness';
import { duban } from '../cli/run';
import { loadPlanFile } from '@duban/plan';

const FILE = 'plans/big.yaml';

/** A plan file's text: JSON is YAML, one key per line, as the loader reads any plan file. */
function stringify(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
let seed: Plan;
let dir: string;

beforeAll(async () => {
  seed = await loadPlanFile(SEED_PLAN_PATH);
  dir = temporaryDirectory('duban-plan-caps-');
});
afterAll(removeTemporaryDirectories);

/** The seed with task 1 (actions[0].tasks[0]) changed by `edit`, as YAML text. */
function seedWithTask1(edit: (task: Plan['actions'][number]['tasks'][number]) => object): string {
  const actions = seed.actions.map((a, i) => (i === 0 ? { ...a, tasks: a.tasks.map((t, j) => (j === 0 ? edit(t) : t)) } : a));
  return stringify({ ...seed, actions });
}

function problemsOf(text: string, file = FILE): PlanProblem[] {
  const result = parsePlan(text, file);
  if (result.ok) throw new Error('expected the plan to be refused');
  return result.problems;
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

describe('per-field caps', () => {
  test('a 5 MB task description is refused at its line with the limit and the actual length', () => {
    const huge = '详'.repeat(5 * 1024 * 1024);
    const text = seedWithTask1((t) => ({ ...t, description: huge }));
    const problems = problemsOf(text);
    expect(problems).toEqual([
      expect.objectContaining({
        code: PlanProblemCode.LIMIT_EXCEEDED,
        file: FILE,
        path: 'actions[0].tasks[0].description',
        line: lineOf(text, '"description": "详'),
        limit: PLAN_LIMITS.textLength,
        actual: huge.length,
      }),
    ]);
    expect(problems[0]?.message).toContain(`${huge.length.toLocaleString('en')} characters`);
    expect(problems[0]?.message).toContain(PLAN_LIMITS.textLength.toLocaleString('en'));
  });

  // [field, where in the seed, the value that is one too long, the limit]
  const fields: Array<[string, (t: Plan['actions'][number]['tasks'][number], long: string) => object, string, number]> = [
    ['a task title', (t, long) => ({ ...t, title: { ...t.title, zh: long } }), 'actions[0].tasks[0].title.zh', PLAN_LIMITS.nameLength],
    ['a lead unit code', (t, long) => ({ ...t, lead: [long] }), 'actions[0].tasks[0].lead[0]', PLAN_LIMITS.idLength],
    ['the words for the responsible units', (t, long) => ({ ...t, responsibleSource: long }), 'actions[0].tasks[0].responsibleSource', PLAN_LIMITS.noteLength],
  ];
  test.each(fields)('%s one character over the limit is refused, at the limit it is not', (_what, edit, path, limit) => {
    const over = problemsOf(seedWithTask1((t) => edit(t, 'x'.repeat(limit + 1))));
    expect(over).toContainEqual(expect.objectContaining({ code: PlanProblemCode.LIMIT_EXCEEDED, path, limit, actual: limit + 1 }));
    const at = parsePlan(seedWithTask1((t) => edit(t, 'x'.repeat(limit))), FILE);
    const limitProblems = at.ok ? [] : at.problems.filter((p) => p.code === PlanProblemCode.LIMIT_EXCEEDED);
    expect(limitProblems).toEqual([]);
  });

  test('a person name and a unit name over the limit are refused at their own lines', () => {
    const long = '名'.repeat(PLAN_LIMITS.nameLength + 1);
    const people = seed.people.map((p, i) => (i === 2 ? { ...p, name: long } : p));
    const units = seed.units.map((u, i) => (i === 1 ? { ...u, name: long } : u));
    const text = stringify({ ...seed, people, units });
    const problems = problemsOf(text);
    const [unitLine, personLine] = text.split('\n').flatMap((line, i) => (line.includes(`"name": "${long}"`) ? [i + 1] : []));
    expect(personLine).toBeGreaterThan(lineOf(text, '"people":'));
    expect(problems.map((p) => [p.code, p.path, p.line, p.limit, p.actual])).toEqual([
      [PlanProblemCode.LIMIT_EXCEEDED, 'units[1].name', unitLine, PLAN_LIMITS.nameLength, long.length],
      [PlanProblemCode.LIMIT_EXCEEDED, 'people[2].name', personLine, PLAN_LIMITS.nameLength, long.length],
    ]);
  });
});

describe('caps on counts', () => {
  /** A plan with `count` tasks in one action, all led by one unit, as plain data. */
  function planWithTasks(count: number): PlanInput {
    const template = seed.actions[0]?.tasks[0];
    if (template === undefined) throw new Error('seed has no task 1');
    const tasks = Array.from({ length: count }, (_, i) => ({ ...template, number: i + 1, title: { zh: `任务${i + 1}`, en: `Task ${i + 1}` }, description: '按计划推进' }));
    const actions = [{ ...seed.actions[0], number: 1, tasks }, ...seed.actions.slice(1).map((a) => ({ ...a, tasks: [] }))];
    return { ...seed, actions } as PlanInput;
  }

  test(`a plan of ${PLAN_LIMITS.tasks.toLocaleString('en')} tasks loads (the largest real plans fit)`, () => {
    const text = stringify(planWithTasks(PLAN_LIMITS.tasks));
    expect(Buffer.byteLength(text)).toBeLessThan(PLAN_LIMITS.fileBytes);
    const result = parsePlan(text, FILE);
    expect(result.ok ? result.plan.actions[0]?.tasks.length : result.problems.slice(0, 3)).toBe(PLAN_LIMITS.tasks);
  });

  test('one task more than the limit is refused at actions with the limit and the count', () => {
    const text = stringify(planWithTasks(PLAN_LIMITS.tasks + 1));
    const problems = problemsOf(text);
    expect(problems).toContainEqual(
      // At the list of actions, where it opens.
      expect.objectContaining({ code: PlanProblemCode.LIMIT_EXCEEDED, path: 'actions', line: lineOf(text, '"actions": ['), limit: PLAN_LIMITS.tasks, actual: PLAN_LIMITS.tasks + 1 }),
    );
    expect(problems.every((p) => p.code === PlanProblemCode.LIMIT_EXCEEDED)).toBe(true);
  });

  test('more people than the limit is refused at the list', () => {
    const person = seed.people[0];
    if (person === undefined) throw new Error('seed has no people');
    const people = Array.from({ length: PLAN_LIMITS.people + 1 }, (_, i) => (i < seed.people.length ? seed.people[i] : { ...person, id: `p-${i}` }));
    const problems = problemsOf(stringify({ ...seed, people }));
    expect(problems).toContainEqual(expect.objectContaining({ code: PlanProblemCode.LIMIT_EXCEEDED, path: 'people', limit: PLAN_LIMITS.people, actual: PLAN_LIMITS.people + 1 }));
  });
});

describe('the file size cap', () => {
  test('a file over the limit is refused before it is parsed, located at the document', async () => {
    const file = join(dir, 'huge.yaml');
    // Valid YAML of the seed followed by a long comment: only the size is wrong, by two bytes.
    const seedText = stringify(seed);
    const tooLarge = `${seedText}\n#${'x'.repeat(PLAN_LIMITS.fileBytes - Buffer.byteLength(seedText) - 1)}\n`;
    writeFileSync(file, tooLarge);
    const result = await readPlanFile(file, { displayName: 'huge.yaml' });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({ code: PlanProblemCode.FILE_TOO_LARGE, file: 'huge.yaml', path: '', line: 1, column: 1, limit: PLAN_LIMITS.fileBytes, actual: PLAN_LIMITS.fileBytes + 2 }),
    ]);
    // The same text handed over as a string; at the cap exactly, the plan loads.
    const text = problemsOf(tooLarge);
    const atLimit = `${seedText}\n#${'x'.repeat(PLAN_LIMITS.fileBytes - Buffer.byteLength(seedText) - 3)}\n`;
    expect(Buffer.byteLength(atLimit)).toBe(PLAN_LIMITS.fileBytes);
    expect(parsePlan(atLimit, FILE)).toMatchObject({ ok: true });
    expect(text.map((p) => p.code)).toEqual([PlanProblemCode.FILE_TOO_LARGE]);
  });

  test('a small file whose aliases expand to millions of values ("billion laughs") is refused, not expanded', () => {
    const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 1; i < 9; i += 1) levels.push(`${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10).fill(`*${'abcdefghij'[i - 1]}`).join(', ')}]`);
    const text = `${levels.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(1000);
    expect(problemsOf(text)).toEqual([expect.objectContaining({ code: PlanProblemCode.LIMIT_EXCEEDED, path: '', line: 1, limit: PLAN_LIMITS.yamlAliasExpansions })]);
  });

  test('an amendment file over a cap is refused the same way', async () => {
    const file = join(dir, 'amend.yaml');
    writeFileSync(
      file,
      stringify({ plan: seed.id, id: 'too-long', issuedBy: 'hq-office-clerk', reason: '理'.repeat(PLAN_LIMITS.noteLength + 1), moveDeadlines: [], reassign: [{ task: 9, lead: ['chengguan'], reason: '调整' }] }),
    );
    const error = await loadAmendmentFile(file, seed).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'AMENDMENT_INVALID',
      problems: [expect.objectContaining({ code: 'LIMIT_EXCEEDED', path: 'reason', line: 5, limit: PLAN_LIMITS.noteLength, actual: PLAN_LIMITS.noteLength + 1 })],
    });
  });
});

describe('the CLI', () => {
  let bigPlan: string;
  beforeAll(() => {
    bigPlan = join(dir, 'big-description.yaml');
    writeFileSync(bigPlan, seedWithTask1((t) => ({ ...t, description: '详'.repeat(5 * 1024 * 1024) })));
  });

  test('plan validate names the file, line, path, limit and actual length, exit 1', async () => {
    const run = await duban(['plan', 'validate', bigPlan]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`big-description\\.yaml:\\d+:\\d+ LIMIT_EXCEEDED actions\\[0\\]\\.tasks\\[0\\]\\.description: .*5,242,880 characters.*${PLAN_LIMITS.textLength.toLocaleString('en')}`));
  });

  test('plan validate --json carries the limit and the actual length', async () => {
    const run = await duban(['plan', 'validate', bigPlan, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { valid: boolean; problems: PlanProblem[] };
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'LIMIT_EXCEEDED', path: 'actions[0].tasks[0].description', limit: PLAN_LIMITS.textLength, actual: 5 * 1024 * 1024 }),
    ]);
  });

  test('launch refuses the plan before it connects to a server', async () => {
    // No server at this address: the plan's problem comes first.
    const run = await duban(['launch', bigPlan], { env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LIMIT_EXCEEDED actions[0].tasks[0].description');
    expect(run.stderr).toContain('[PLAN_INVALID]');
  });
});
