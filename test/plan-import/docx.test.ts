/**
 * A real .docx, written here with the `docx` library the way offices lay plans out in
 * Word: numbered headings as paragraphs, one task with its units in a bracket, and a task
 * table with 牵头单位 / 责任单位 / 配合单位 / 完成时限 columns. `duban plan import` reads
 * both, and the leading group its 保障措施 set up, and says where (paragraph numbers)
 * what it could not place stands.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import { parsePlan } from '@duban/plan';
import { importPlanFile } from '@duban/plan-import';
import { duban } from '../cli/run';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';

afterAll(removeTemporaryDirectories);

const row = (cells: string[]) => new TableRow({ children: cells.map((text) => new TableCell({ children: [new Paragraph(text)] })) });

async function writeDocx(file: string): Promise<void> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ children: [new TextRun({ text: '某区2026年人居环境整治行动实施方案', bold: true })] }),
          new Paragraph('为持续改善人居环境，从2026年起开展为期一年的整治行动，制定方案如下。'),
          new Paragraph('一、重点任务'),
          new Paragraph('（一）背街小巷整治'),
          new Paragraph('1.路面修复。对辖区背街小巷破损路面进行修复，8月底前完成排查，11月底前全部完成修复。（牵头单位：区住建局；责任单位：各街道；配合单位：区城管局）'),
          new Paragraph('（二）市容秩序整治'),
          new Table({
            rows: [
              row(['序号', '工作任务', '牵头单位', '责任单位', '完成时限']),
              row(['2', '清理占道经营，每月23日前报送整治台账', '区城管局', '各街道', '长期坚持']),
              row(['3', '整治户外广告，方案报区住建局备案', '区城管局', '区市场局', '9月底前']),
            ],
          }),
          new Paragraph('二、保障措施'),
          new Paragraph('成立整治行动领导小组，领导小组办公室设在区城管局。'),
        ],
      },
    ],
  });
  await writeFile(file, await Packer.toBuffer(doc));
}

describe('importing a .docx', () => {
  let file: string;
  beforeAll(async () => {
    file = join(temporaryDirectory('duban-import-docx-'), '整治方案.docx');
    await writeDocx(file);
  });

  it('reads the numbered paragraphs and the table rows as tasks, with their units and dates', async () => {
    const result = await importPlanFile(file, { id: 'renju-2026', examplePeople: true });
    expect(result.kind).toBe('docx');
    const parsed = parsePlan(result.yaml, 'renju-2026.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems, null, 2));
    const plan = parsed.plan;
    const name = (code: string) => plan.units.find((u) => u.code === code)?.name;
    expect(plan.campaign).toEqual({ start: '2026-01-01', end: '2026-12-31' });
    // 一、重点任务 only gathers the sections: (一) and (二) are the top-level sections.
    expect(plan.actions.map((a) => [a.number, a.title.zh])).toEqual([
      [1, '背街小巷整治'],
      [2, '市容秩序整治'],
    ]);
    const [paving, stalls, adverts] = plan.actions.flatMap((a) => a.tasks);
    expect(paving).toMatchObject({ number: 1, title: { zh: '路面修复' } });
    expect([paving!.lead.map(name), paving!.responsible.map(name), paving!.cooperating?.map(name)]).toEqual([['区住建局'], ['各街道'], ['区城管局']]);
    // Two dates in one task: the earlier is a node, the later the deadline.
    expect(paving!.nodes).toEqual([{ id: 'node-1', date: '2026-08-31', rule: 'by', source: '8月底前', what: '8月底前完成排查' }]);
    expect(paving!.deadline).toEqual({ date: '2026-11-30', rule: 'by', source: '11月底前全部完成修复' });
    // A table row: its 完成时限 column and the recurring duty in its text.
    expect(stalls).toMatchObject({ number: 2, title: { zh: '清理占道经营，每月23日前报送整治台账' } });
    expect(stalls!.recurring).toEqual([{ id: 'month-report-1', every: 'month', day: 23, rule: 'by', duty: 'report', source: '每月23日前报送整治台账' }]);
    expect(stalls!.deadline).toBeUndefined();
    expect(adverts!.deadline).toEqual({ date: '2026-09-30', rule: 'by', source: '9月底前' });
    expect(adverts!.filing).toMatchObject({ with: plan.units.find((u) => u.name === '区住建局')?.code, source: '报区住建局备案' });
    // 保障措施: the leading group and where its office sits.
    expect(plan.organization?.headquarters.name).toBe('整治行动领导小组');
    expect([plan.organization?.office.name, name(plan.organization?.office.hostUnit ?? '')]).toEqual(['领导小组办公室', '区城管局']);
  });

  it('reports what it could not place by paragraph', async () => {
    const result = await importPlanFile(file);
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([
      ['roster-empty', 1],
      ['collective-without-members', 5],
      ['year-assumed', 5],
      ['year-assumed', 5],
      ['year-assumed', 9],
    ]);
  });

  it('is what `duban plan import` writes, with the report in Chinese', async () => {
    const out = join(temporaryDirectory('duban-import-out-'), 'draft.yaml');
    const run = await duban(['--lang', 'zh', 'plan', 'import', file, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('共 2 节、3 项任务');
    expect(run.stdout).toContain('第 5 行：原文未说明“各街道”包括哪些单位：请列出成员');
    expect(await readFile(out, 'utf8')).toMatch(/^format: 2$/m);
  });
});
