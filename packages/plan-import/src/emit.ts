/**
 * The draft as a format-2 plan file. Every guessed value carries a `# 待核: …` comment on
 * the line above it (comments are what the loader ignores and `duban plan migrate` keeps),
 * and the header lists what the import could not place.
 */
import { Document, isMap, isPair, isScalar, isSeq, Scalar, YAMLMap, type Node } from 'yaml';
import type { DraftPlan, DraftSection, DraftTask, Finding, Review } from './draft';

/** The mark a reviewer searches for. */
export const REVIEW_MARK = '待核';

function clean<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key, v]) => v !== undefined && key !== 'review' && key !== 'line'));
}

function taskValue(task: DraftTask): Record<string, unknown> {
  const { line: _line, review: _review, milestones, ...rest } = task;
  // No milestone is the default (format 2): the task is due by its deadline or the campaign's end.
  return clean({ ...rest, title: { zh: task.title }, milestones: milestones.length > 0 ? milestones : undefined });
}

function sectionValue(section: DraftSection): Record<string, unknown> {
  return clean({
    number: section.number,
    printed: section.printed,
    title: { zh: section.title },
    preamble: section.preamble,
    tasks: section.tasks.length > 0 ? section.tasks.map(taskValue) : undefined,
    sections: section.sections.length > 0 ? section.sections.map(sectionValue) : undefined,
  });
}

/** Puts each review note above its key in `map`. */
function annotate(map: unknown, review: Review): void {
  if (!isMap(map)) return;
  for (const [key, note] of Object.entries(review)) {
    const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${REVIEW_MARK}: ${note}`;
  }
}

/** Short lists of codes and small objects read best on one line, as in the seed plan. */
function flowShortCollections(node: Node | null | undefined): void {
  if (isSeq(node)) {
    if (node.items.every((item) => isScalar(item)) && node.items.length <= 12) node.flow = true;
    for (const item of node.items) flowShortCollections(item as Node);
  } else if (isMap(node)) {
    const simple = node.items.every((p) => isPair(p) && isScalar(p.value) && String((p.value as Scalar).value).length < 40);
    if (simple && node.items.length <= 6) node.flow = true;
    for (const pair of node.items) if (isPair(pair)) flowShortCollections(pair.value as Node);
  }
}

export interface EmitOptions {
  /** Where the text came from, for the header. */
  sourceName: string;
  findings: readonly Finding[];
  /** The findings as the header should word them, one line each. */
  describeFinding: (finding: Finding) => string;
}

export function emitPlanYaml(plan: DraftPlan, options: EmitOptions): string {
  const value = {
    format: 2,
    id: plan.id,
    title: { zh: plan.title, en: plan.title },
    timeZone: 'Asia/Shanghai',
    campaign: plan.campaign,
    units: plan.units.map((u) => clean({ code: u.code, name: u.name, en: u.name, kind: u.kind, members: u.members, example: u.example })),
    organization: plan.organization && clean({
      headquarters: plan.organization.headquarters,
      office: plan.organization.office,
      groups: plan.organization.groups,
      subHeadquarters: plan.organization.subHeadquarters,
    }),
    people: plan.people,
    milestones: plan.milestones.map((m) => clean({ ...m })),
    sections: plan.sections.map(sectionValue),
  };
  const doc = new Document(clean(value));
  const root = doc.contents as YAMLMap;
  annotate(root, { ...plan.review, title: `${plan.review['title'] ?? ''}（en 暂用中文）` });
  // A unit's notes go above the unit, so that it stays on one line like the seed's units.
  const units = root.get('units', true);
  if (isSeq(units)) {
    units.items.forEach((item, i) => {
      const notes = Object.entries(plan.units[i]?.review ?? {}).map(([key, note]) => `${key} ${note}`);
      if (notes.length > 0) (item as Node).commentBefore = ` ${REVIEW_MARK}: ${notes.join('；')}`;
    });
  }
  if (plan.organization) annotate(root.get('organization', true), plan.organization.review);
  const milestones = root.get('milestones', true);
  if (isSeq(milestones)) milestones.items.forEach((item, i) => annotate(item, plan.milestones[i]?.review ?? {}));
  const people = root.get('people', true);
  if (isSeq(people) && people.items.length > 0) {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'people');
    if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${REVIEW_MARK}: 示例负责人（example: true），原文未列人员：请换成真实名单`;
  }
  const annotateSections = (seq: unknown, sections: readonly DraftSection[]) => {
    if (!isSeq(seq)) return;
    seq.items.forEach((item, i) => {
      const section = sections[i];
      if (!section || !isMap(item)) return;
      annotate(item, section.review);
      const tasks = item.get('tasks', true);
      if (isSeq(tasks)) tasks.items.forEach((t, j) => annotate(t, section.tasks[j]?.review ?? {}));
      annotateSections(item.get('sections', true), section.sections);
    });
  };
  annotateSections(root.get('sections', true), plan.sections);
  for (const key of ['units', 'people', 'milestones', 'sections'] as const) {
    const seq = root.get(key, true);
    if (isSeq(seq)) for (const item of seq.items) flowShortCollections(item as Node);
  }
  const campaign = root.get('campaign', true);
  if (isMap(campaign)) campaign.flow = true;

  const header = [
    'yaml-language-server: $schema=./plan.schema.json',
    '',
    `Draft imported by \`duban plan import\` from ${options.sourceName}. 由 duban plan import 导入的草稿。`,
    `Every value marked "# ${REVIEW_MARK}: …" is a guess: check it against the source, then delete the mark.`,
    `凡标“# ${REVIEW_MARK}”处均为推断，请对照原文核对后删去标记。`,
  ];
  if (options.findings.length > 0) {
    header.push('', '未能放置 / not placed:');
    for (const finding of options.findings) header.push(`  - ${options.describeFinding(finding)}`);
  }
  doc.commentBefore = header.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
  return doc.toString({ lineWidth: 0 });
}
