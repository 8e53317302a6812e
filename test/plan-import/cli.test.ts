/**
 * `duban plan import` as a person uses it: the report in their language with line
 * numbers, JSON for scripts, a reviewed plan never overwritten, files it cannot read
 * refused with the reason — and the draft it writes loads once people are added.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { duban } from '../cli/run';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';

afterAll(removeTemporaryDirectories);

const LISHAN = join(__dirname, 'fixtures', 'lishan-2023.zh.txt');

describe('duban plan import', () => {
  it('writes the draft and reports, in English, what it could not place with the line', async () => {
    const out = join(temporaryDirectory('duban-import-'), 'lishan.yaml');
    const run = await duban(['--lang', 'en', 'plan', 'import', LISHAN, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Wrote ${out}: draft plan lishan-2023 with 1 sections, 6 tasks, 11 units and 0 milestones`);
    expect(run.stdout).toContain('line 59: a numbered item with no lead or responsible unit, not made a task: 7.其他主要经济指标不低于全市平均水平。');
    expect(run.stdout).toContain('line 37: the text does not say which units "各街道" stands for: list its members');
    const yaml = await readFile(out, 'utf8');
    expect(yaml).toMatch(/^format: 2$/m);
    expect(yaml).toContain('# 待核: 指标按数字与“左右/不低于”等词推断');
    // Without people the draft does not load yet, and validate says why and where.
    const validate = await duban(['plan', 'validate', out]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('UNIT_WITHOUT_HEAD');
  });

  it('with --example-people writes a draft that validates at once, noting a lead that is also in its responsible collective', async () => {
    const out = join(temporaryDirectory('duban-import-'), 'lishan.yaml');
    expect((await duban(['plan', 'import', LISHAN, '--out', out, '--example-people'])).code).toBe(0);
    const validate = await duban(['plan', 'validate', out]);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`valid ${out}: plan lishan-2023, 1 sections, 6 tasks, 0 milestones`);
    expect(validate.stdout).toContain('note: task 3: 区发改局 leads it and is also one of 区直各部门 (responsible); it counts as lead only.');
    const zh = await duban(['--lang', 'zh', 'plan', 'validate', out]);
    expect(zh.stdout).toContain('注意：任务 3：区发改局 牵头，同时属于责任单位“区直各部门”；只按牵头单位计。');
    const json = JSON.parse((await duban(['plan', 'validate', out, '--json'])).stdout) as { notes?: { leadInCollective: { task: number }[] } };
    expect(json.notes?.leadInCollective.map((n) => n.task)).toEqual([3]);
  });

  it('shows a phase that opens later than the campaign: the day its task may begin, and its reports only inside the phase', async () => {
    const out = join(temporaryDirectory('duban-import-'), 'campaign-2011.yaml');
    expect((await duban(['plan', 'import', join(__dirname, 'fixtures', 'campaign-2011.zh.txt'), '--id', 'campaign-2011', '--out', out, '--example-people'])).code).toBe(0);
    const zh = await duban(['--lang', 'zh', 'plan', 'show', out]);
    expect(zh.code).toBe(0);
    expect(zh.stdout).toMatch(/\n2\s+5月下旬-8月：此日前不开始\s+2011年5月21日起/);
    // The 10th and the 20th of June, July and August: three of each in the phase, not ten over the year.
    expect(zh.stdout).toMatch(/\n2\s+各县\(市、口岸\)要分别在每月10日、20日前\S*（共3次）\s+2011年6月10日前 … 2011年8月10日前/);
    const en = await duban(['plan', 'show', out]);
    expect(en.stdout).toMatch(/\n2\s+5月下旬-8月: not begun before\s+from 2011-05-21/);
  });

  it('prints the report as JSON with --json', async () => {
    const out = join(temporaryDirectory('duban-import-'), 'lishan.yaml');
    const run = await duban(['plan', 'import', LISHAN, '--out', out, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { id: string; tasks: number; findings: { code: string; line: number }[] };
    expect(report).toMatchObject({ id: 'lishan-2023', tasks: 6 });
    expect(report.findings.map((f) => [f.code, f.line])).toContainEqual(['item-without-units', 59]);
  });

  it('never overwrites an existing plan unless told to', async () => {
    const out = join(temporaryDirectory('duban-import-'), 'reviewed.yaml');
    await writeFile(out, '# reviewed by hand\n');
    const run = await duban(['--lang', 'zh', 'plan', 'import', LISHAN, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('已存在：不会覆盖已核对的计划');
    expect(await readFile(out, 'utf8')).toBe('# reviewed by hand\n');
    expect((await duban(['plan', 'import', LISHAN, '--out', out, '--force'])).code).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/^format: 2$/m);
  });

  it('refuses a file it cannot read, and a text without tasks, saying why', async () => {
    const dir = temporaryDirectory('duban-import-');
    const pdf = join(dir, 'plan.pdf');
    await writeFile(pdf, '%PDF-1.4');
    const wrongKind = await duban(['plan', 'import', pdf]);
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain('reads .txt, .md and .docx files');
    expect(wrongKind.stderr).toContain('[IMPORT_UNSUPPORTED_FILE]');
    const notDocx = join(dir, 'renamed.docx');
    await writeFile(notDocx, 'plain text, not a Word file');
    const broken = await duban(['plan', 'import', notDocx]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('cannot be read as a Word document');
    const empty = join(dir, 'notes.txt');
    await writeFile(empty, '一、总体要求\n做好工作。\n');
    const none = await duban(['--lang', 'zh', 'plan', 'import', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('未找到写明单位（牵头单位/责任单位）的编号条目');
    expect(none.stderr).toContain('[IMPORT_NO_TASKS]');
  });
});
