/**
 * The seed's source text, imported, is the seed plan in everything the text states.
 *
 * What "equal" covers, exactly (units are compared by NAME, since the importer makes its
 * own codes from pinyin and the seed's codes are hand-chosen):
 * - the campaign's start and end (从2020年起开展为期两年 → 2020-01-01 … 2021-12-31);
 * - the top-level sections: their number and Chinese title, and each one's preamble;
 * - every task, in order: number, Chinese title, description (verbatim), lead units in
 *   source order, whether the first lead is primary (the seed's rule under task 3),
 *   responsibleSource (各相关社区 / 各社区) and the imported collective unit of that name,
 *   supports (the outside bodies the task assists), the deadline (date, rule, source
 *   words), and the milestone ids that check it;
 * - the milestones: id, source words, date, rule, focus sections, and focus words (the
 *   seed's focus is where the imported one starts: the seed stops at the sentence's
 *   point, the import at the semicolon);
 * - the units the source names: the five offices (kind office), 兰宫路社区 (community)
 *   and the four bodies the street assists (kind external);
 * - the organization of section 四(一): the headquarters' name, its office and the unit
 *   that hosts it, the three working groups (code and name), and the ten sub-headquarters
 *   (section number and name, named after the sections as the seed names them);
 * - the one target the text gives in digits (task 8: 30 座).
 *
 * Not covered, because the source does not state it: people (so no headquarters leaders,
 * group members or sub-headquarters leads), example communities and the expansion of
 * 各相关社区 into them, policies, routing, English glosses, the targets the seed reads from
 * words (两个断头路, one neighbourhood centre).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanFile, parsePlan, type Plan, type PlanTask } from '@duban/plan';
import { importText } from '@duban/plan-import';

const repo = join(__dirname, '..', '..');
const seedText = readFileSync(join(repo, 'test', 'plan', 'fixtures', 'plan-2020.zh.txt'), 'utf8');

function names(plan: Plan, codes: readonly string[] | undefined): string[] {
  return (codes ?? []).map((code) => plan.units.find((u) => u.code === code)?.name ?? `?${code}`);
}

function tasks(plan: Plan): PlanTask[] {
  return plan.actions.flatMap((a) => a.tasks);
}

describe('importing the seed text', () => {
  let seed: Plan;
  let imported: Plan;
  let yaml: string;

  beforeAll(async () => {
    seed = await loadPlanFile(join(repo, 'plans', 'xihu-2020.yaml'));
    const result = importText(seedText, 'plan-2020.zh.txt', { id: 'xihu-2020', examplePeople: true });
    yaml = result.yaml;
    const parsed = parsePlan(yaml, 'imported.yaml');
    if (!parsed.ok) throw new Error(`the imported seed does not load:\n${JSON.stringify(parsed.problems, null, 2)}`);
    imported = parsed.plan;
  });

  it('writes a format-2 plan that the loader accepts', () => {
    expect(yaml).toMatch(/^format: 2$/m);
    // The numbers as printed are a format-2 field, kept through the loader.
    expect(tasks(imported).map((t) => t.printed).slice(0, 3)).toEqual(['1.', '2.', '3.']);
  });

  it('has the campaign the source states', () => {
    expect(imported.campaign).toEqual(seed.campaign);
  });

  it('has the ten actions with their titles and preambles', () => {
    expect(imported.actions.map((a) => [a.number, a.title.zh, a.preamble])).toEqual(seed.actions.map((a) => [a.number, a.title.zh, a.preamble]));
  });

  it('has the twenty tasks with their numbers, titles, descriptions, units, dates and milestones', () => {
    const shape = (plan: Plan) =>
      tasks(plan).map((task) => ({
        number: task.number,
        title: task.title.zh,
        description: task.description,
        lead: names(plan, task.lead),
        leadPrimary: task.leadPrimary ?? true,
        responsibleSource: task.responsibleSource,
        supports: names(plan, task.supports),
        deadline: task.deadline,
        milestones: task.milestones,
      }));
    expect(shape(imported)).toEqual(shape(seed));
  });

  it('gives each task the collective its source words name', () => {
    for (const task of tasks(imported)) {
      expect(names(imported, task.responsible)).toEqual([task.responsibleSource]);
      const collective = imported.units.find((u) => u.code === task.responsible[0]);
      expect(collective?.kind).toBe('collective');
    }
  });

  it('has the three milestones of 总体要求 with their dates, rules and focus', () => {
    expect(imported.milestones.map((m) => [m.id, m.source, m.due, m.rule, m.focusActions])).toEqual(
      seed.milestones.map((m) => [m.id, m.source, m.due, m.rule, m.focusActions]),
    );
    for (const [i, milestone] of seed.milestones.entries()) expect(imported.milestones[i]?.focus?.startsWith(milestone.focus ?? '')).toBe(true);
  });

  it('has the units the source names, of the kind the seed gives them', () => {
    const named = seed.units.filter((u) => u.example !== true);
    expect(named.map((u) => u.name).sort()).toHaveLength(10);
    for (const unit of named) {
      const found = imported.units.find((u) => u.name === unit.name);
      expect({ name: unit.name, kind: found?.kind }).toEqual({ name: unit.name, kind: unit.kind });
    }
  });

  it('has the headquarters of section 四(一): its name, office and host, groups and sub-headquarters', () => {
    const organization = (plan: Plan) => {
      const org = plan.organization;
      return {
        headquarters: org?.headquarters.name,
        office: org?.office.name,
        host: names(plan, org ? [org.office.hostUnit] : []),
        groups: org?.groups.map((g) => [g.code, g.name]),
        subHeadquarters: org?.subHeadquarters.map((s) => [s.action, s.name]),
      };
    };
    expect(organization(imported)).toEqual(organization(seed));
  });

  it('reads the target the text gives in digits', () => {
    const toilets = tasks(imported).find((t) => t.number === 8);
    expect(toilets?.targets?.map((t) => [t.quantity, t.unit])).toEqual([[30, '座']]);
    expect(tasks(seed).find((t) => t.number === 8)?.targets?.map((t) => [t.quantity, t.unit])).toEqual([[30, '座']]);
  });

  it('marks every guess for review and reports what it could not place', () => {
    // Each task's lead order is stated; its milestones are inferred: marked.
    expect((yaml.match(/# 待核: 按节点重点所涉的节/g) ?? []).length).toBe(20);
    const result = importText(seedText, 'plan-2020.zh.txt');
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([
      ['roster-empty', 1],
      ['date-unread', 42],
    ]);
  });
});
