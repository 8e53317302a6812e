/**
 * Three real published plans of other kinds than the seed, kept verbatim (trimmed) in
 * fixtures/ with their sources named in the plans' headers:
 * - plans/lishan-2023.yaml: 鞍山市立山区人民政府, 立山区政府2023年重点工作任务分解和责任分工方案
 *   (a district's annual key-work split: units on lines of their own, rates as targets,
 *   collectives such as 各街道 and 区直各部门, no dates: whole-year work);
 * - plans/yuncheng-2017.yaml: 运城市人民政府办公厅, 突发事件应急体系建设“十三五”规划责任分解
 *   (a city's division of a plan: three levels, one bracket for a run of measures, only
 *   责任单位 — no lead and no primary — given to three collectives);
 * - plans/beijing-2010.yaml: 北京市人民政府办公厅, 北京市城市环境秩序百日整治行动方案 (a
 *   rectification campaign: duties headed by their units, four supervising bodies (each
 *   supervises the other tasks), a phase with its date span, its actors named only as the
 *   subjects of its sentences, two filings with the campaign office).
 *
 * Each imports to its shipped plan in what the text states (sections, tasks with their
 * printed numbers, levels, titles, descriptions, units by name, leads and co-leads,
 * targets), the shipped plan validates, and it runs: launched and played on the
 * time-skipping server by `duban simulate` for the first months of its campaign.
 */
import { join } from 'node:path';
import { loadPlanFile, parsePlan, type Plan } from '@duban/plan';
import { importPlanFile } from '@duban/plan-import';
import { duban } from '../cli/run';
import { removeTemporaryDirectories } from '../harness';
import { outcomeOf, simulateCli, YEAR } from '../simulate/helpers';

afterAll(removeTemporaryDirectories);

const repo = join(__dirname, '..', '..');

/** What the text states of a plan, units by name; example units (not from the text) left out. */
function stated(plan: Plan) {
  const unit = (code: string) => plan.units.find((u) => u.code === code);
  const names = (codes: readonly string[] | undefined) => (codes ?? []).map((c) => unit(c)).filter((u) => u?.example !== true).map((u) => u?.name);
  return {
    end: plan.campaign.end,
    sections: plan.actions.map((a) => [a.number, a.title.zh]),
    tasks: plan.actions.flatMap((a) =>
      a.tasks.map((t) => ({
        number: t.number,
        printed: t.printed,
        path: t.path?.map((p) => p.title) ?? [],
        title: t.title.zh,
        description: t.description,
        lead: names(t.lead),
        leadPrimary: t.leadPrimary ?? true,
        responsible: names(t.responsible),
        responsibleSource: t.responsibleSource,
        deadline: t.deadline && [t.deadline.date, t.deadline.rule, t.deadline.source],
        targets: t.targets?.map((g) => [g.kind, g.percent, g.relation]),
        supervisor: t.supervisor?.map((code) => unit(code)?.name),
        filings: (t.filings ?? (t.filing ? [t.filing] : [])).map((f) => [unit(f.with)?.name, f.source]),
        start: t.start && [t.start.date, t.start.source],
        recurring: t.recurring?.map((r) => [r.every, r.day, r.from, r.until]),
      })),
    ),
    units: plan.units
      .filter((u) => u.example !== true && !u.name.includes('示例'))
      .map((u) => [u.name, u.kind])
      .sort(),
  };
}

/** What the review corrected, unit by unit: the kind the import guessed, and the kind shipped. */
function withCorrections(units: (string | undefined)[][], corrections: Record<string, [string, string]>, side: 0 | 1) {
  return units.map(([name, kind]) => [name, name !== undefined && corrections[name] ? corrections[name][side] : kind]);
}

const REAL_PLANS: { id: string; fixture: string; sections: number; tasks: number; until: string; corrected: Record<string, [string, string]> }[] = [
  { id: 'lishan-2023', fixture: 'lishan-2023.zh.txt', sections: 1, tasks: 6, until: `${YEAR}-03-31`, corrected: {} },
  { id: 'yuncheng-2017', fixture: 'yuncheng-2017.zh.txt', sections: 1, tasks: 4, until: `${YEAR}-06-30`, corrected: {} },
  // The campaign's own office: the import took it for an outside body, since work is filed with it.
  { id: 'beijing-2010', fixture: 'beijing-2010.zh.txt', sections: 3, tasks: 3, until: `${YEAR}-10-15`, corrected: { 市百日整治行动领导小组办公室: ['external', 'office'] } },
];

describe.each(REAL_PLANS)('the real plan $id', ({ id, fixture, sections, tasks, until, corrected }) => {
  const planFile = join(repo, 'plans', `${id}.yaml`);

  it('imports to the shipped plan in everything its text states', async () => {
    const result = await importPlanFile(join(__dirname, 'fixtures', fixture), { id, examplePeople: true });
    const parsed = parsePlan(result.yaml, `${id}.yaml`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems, null, 2));
    const shipped = await loadPlanFile(planFile);
    const imported = stated(parsed.plan);
    const reviewed = stated(shipped);
    expect({ ...imported, units: withCorrections(imported.units, corrected, 0) }).toEqual({ ...reviewed, units: withCorrections(reviewed.units, corrected, 0) });
    expect(withCorrections(imported.units, corrected, 1)).toEqual(reviewed.units);
    expect(stated(shipped).tasks).toHaveLength(tasks);
  });

  it('validates', async () => {
    const run = await duban(['plan', 'validate', `plans/${id}.yaml`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`plan ${id}, ${sections} sections, ${tasks} tasks`);
  });

  it('launches and runs on the time-skipping server: every task assigned, acknowledged and reported on', async () => {
    const run = await simulateCli([`plans/${id}.yaml`, '--until', until, '--json']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const outcome = outcomeOf(run);
    expect(outcome).toMatchObject({ endedBy: 'until', until, plan: { id, campaignYear: YEAR } });
    expect(outcome.tasks).toHaveLength(tasks);
    // Every task was assigned and acknowledged: none is still waiting for its 签收.
    for (const task of outcome.tasks) expect({ task: task.number, acknowledged: task.status !== 'assigned' }).toEqual({ task: task.number, acknowledged: true });
    expect(outcome.people.actions.acknowledge ?? 0).toBeGreaterThanOrEqual(tasks);
    expect(outcome.people.actions.reportProgress ?? 0).toBeGreaterThan(0);
    expect(outcome.people.refusals).toEqual([]);
  });
});
