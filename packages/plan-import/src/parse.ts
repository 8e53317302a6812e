/**
 * From the lines of a published plan to a draft: an outline of its numbered items, the
 * units each item is given, the dates its text states, and the milestones of its opening
 * part. The rules are those of Chinese official documents; whatever they cannot decide is
 * a guess marked for review, and whatever they cannot place is a finding with its line.
 *
 * Here the outline (`outline.ts`) becomes the plan: sections at the level just above the
 * tasks, tasks with their units, dates and duties, the units registered once each, and
 * the plan-level parts read beside it (`opening.ts`, `organization.ts`). This is where the
 * readings meet, so the state they share (units by name, findings) lives only here.
 */
import { clauseAround, readCampaign, readDates, readRecurring, readSpan } from './dates';
import { shorten, type DraftPerson, type DraftPlan, type DraftSection, type DraftTask, type Finding, type Review } from './draft';
import { readSupports, readTargets, titleAndBody } from './items';
import { readOrganization } from './organization';
import { bigrams, readMilestones, readTitle, titleCore } from './opening';
import { ancestors, fullText, isAncestor, outline, rolesOf, taskNodes, walk, type OutlineNode } from './outline';
import type { SourceLine } from './read';
import { collectiveNoun, guessKind, guessMembers, isCollective, namedCommunities, unitCode, type DraftUnit } from './units';

export interface ParseOptions {
  /** The plan's id; default from the file name. */
  id: string;
  /** Add one example unit head per unit (marked example) so the draft validates and runs at once. */
  examplePeople?: boolean;
  /** The year to assume when the text states none (default: the campaign's). */
  fallbackYear: number;
}

/** A heading that only gathers the sections below it (三、主要任务): not itself a section of work. */
const WRAPPER = /(主要任务|重点任务|工作任务|具体任务|任务分工|任务分解|重点工作|主要内容|工作措施|具体措施)/;

/**
 * The depth of the top-level sections (actions): the depth just above the tasks, or
 * deeper while every task sits under one gathering heading (三、主要任务 › (一) › 1.).
 */
function actionDepth(tasks: readonly OutlineNode[]): number {
  let depth = 0;
  for (;;) {
    if (!tasks.every((t) => t.depth > depth + 1)) return depth;
    const shared = new Set(tasks.map((t) => ancestors(t)[depth]));
    const only = [...shared][0];
    if (shared.size !== 1 || !only || !WRAPPER.test(only.text)) return depth;
    depth += 1;
  }
}

/** Everything an import makes of a text. */
export function parseLines(lines: readonly SourceLine[], options: ParseOptions): { plan: DraftPlan; findings: Finding[] } {
  const findings: Finding[] = [];
  const { roots, preamble, primaryRule } = outline(lines, findings);
  const tasks = taskNodes(roots);
  const review: Review = {};

  // -- The campaign -----------------------------------------------------------------------
  const texts = lines.map((l) => l.text);
  let campaign = readCampaign(texts);
  if (!campaign) {
    const years = tasks.flatMap((t) => readDates(fullText(t), undefined).map((d) => d.year));
    const first = years.length > 0 ? Math.min(...years) : options.fallbackYear;
    const lastYear = years.length > 0 ? Math.max(...years) : options.fallbackYear;
    campaign = { start: `${first}-01-01`, end: `${lastYear}-12-31`, words: '', line: 1 };
    findings.push({ code: 'campaign-guessed', line: 1, text: `${campaign.start} … ${campaign.end}` });
  }
  review['campaign'] = campaign.words === '' ? '原文未说明起止日期：按任务日期（或导入年份）暂定' : `据“${campaign.words}”（第${campaign.line}行）推定，原文多只写年份`;
  const campaignYear = Number(campaign.start.slice(0, 4));

  // -- Units --------------------------------------------------------------------------------
  const units: (DraftUnit & { review: Review })[] = [];
  const byName = new Map<string, DraftUnit & { review: Review }>();
  const codes = new Set<string>();
  const unitOf = (code: string) => units.find((u) => u.code === code)!;
  const unit = (name: string, line: number, kind?: DraftUnit['kind']) => {
    const known = byName.get(name);
    if (known) return known.code;
    const code = unitCode(name, codes);
    codes.add(code);
    const guessed = kind ?? guessKind(name);
    const made = { code, name, kind: guessed, line, review: { kind: `按名称推断为 ${guessed}`, en: '英文名待填' } as Review };
    units.push(made);
    byName.set(name, made);
    return code;
  };

  // -- Sections and tasks ------------------------------------------------------------------------
  const depth = actionDepth(tasks);
  const sections: DraftSection[] = [];
  const sectionOf = new Map<OutlineNode, DraftSection>();
  const sectionFor = (node: OutlineNode, top: boolean): DraftSection => {
    let section = sectionOf.get(node);
    if (section) return section;
    const { title } = titleAndBody(node.text);
    // A task with no heading above it is its own section: its text is the task's, not a preamble.
    const preambleText = tasks.includes(node) ? '' : node.body.map((b) => b.text).join('\n').trim();
    section = { printed: node.numbered.printed, title, tasks: [], sections: [], line: node.line, review: {}, ...(preambleText !== '' ? { preamble: preambleText } : {}) };
    if (top) section.number = node.numbered.value;
    sectionOf.set(node, section);
    return section;
  };

  const taskValues = tasks.map((t) => t.numbered.value);
  const printedNumbersWork = new Set(taskValues).size === taskValues.length && taskValues.every((v, i) => i === 0 || v > (taskValues[i - 1] ?? 0));
  const communities = new Set<string>();
  const draftTasks: { task: DraftTask; action: DraftSection; node: OutlineNode }[] = [];
  let sequence = 0;
  const topNumbers = new Set<number>();

  for (const node of tasks) {
    sequence += 1;
    const chain = ancestors(node);
    const top = chain[depth] ?? node;
    let action = sectionFor(top, true);
    if (!sections.includes(action)) {
      if (action.number === undefined || topNumbers.has(action.number)) {
        action.number = sections.length + 1;
        action.review['number'] = '原文编号重复或缺失，按顺序编号';
      }
      topNumbers.add(action.number);
      sections.push(action);
    }
    // The levels between the top-level section and the task become nested sections.
    let container = action;
    for (const level of chain.slice(depth + 1)) {
      const sub = sectionFor(level, false);
      if (!container.sections.includes(sub)) container.sections.push(sub);
      container = sub;
    }
    if (top === node) {
      // A task at the top level (no heading above it): its own section holds it.
      action.review['title'] = '原文此处无上级标题：以任务本身为节';
    }
    const given = rolesOf(node);
    const roles = given?.roles ?? { lead: [], responsible: [], cooperating: [] };
    const { title, body, guessed } = titleAndBody(node.text);
    const measures = node.children.map((c) => `${c.numbered.printed}${c.text}`);
    const description = [body, ...node.body.map((b) => b.text), ...measures].filter((t) => t !== '').join('\n') || node.text.trim();
    const taskReview: Review = {};
    if (guessed) taskReview['title'] = '原文无单列标题：取首句';
    if (given?.inherited) taskReview['lead'] = `单位写在第${given.line}行，统管其上各项措施`;
    if (node.how === 'heading') taskReview['lead'] = '单位取自条目标题（“单位。职责”体例）';
    if (node.how === 'subject') taskReview['lead'] = '原文未写牵头单位：取句子主语（“…要/将…”）';

    let lead = roles.lead.map((name) => unit(name, given?.line ?? node.line));
    const responsible = roles.responsible.map((name) => unit(name, given?.line ?? node.line));
    const cooperating = roles.cooperating.map((name) => unit(name, given?.line ?? node.line));
    if (lead.length === 0) {
      findings.push({ code: 'no-lead', line: given?.line ?? node.line, text: shorten(`${node.numbered.printed}${title}`) });
      lead = [...responsible];
      taskReview['lead'] = '原文未写牵头单位：暂以责任单位牵头';
    }
    const task: DraftTask = {
      number: printedNumbersWork ? node.numbered.value : sequence,
      printed: [...chain.slice(depth + 1).map((c) => c.numbered.printed), node.numbered.printed].join(''),
      title,
      description,
      lead,
      responsible: roles.lead.length === 0 ? [] : responsible,
      milestones: [],
      line: node.line,
      review: taskReview,
    };
    if (roles.lead.length === 0 && roles.responsibleWords) task.responsibleSource = roles.responsibleWords;
    else if (roles.responsibleWords && roles.responsible.some(isCollective)) task.responsibleSource = roles.responsibleWords;
    if (cooperating.length > 0) task.cooperating = cooperating;
    if (lead.length > 1) {
      if (primaryRule) task.leadPrimary = true;
      else {
        task.leadPrimary = false;
        taskReview['leadPrimary'] = '原文未说明以谁为主：各牵头单位并列（第一个提交）';
      }
    }

    // Outside bodies the task assists.
    const text = [node.text, ...node.body.map((b) => b.text)].join('');
    const supports = readSupports(body + node.body.map((b) => b.text).join(''));
    if (supports.names.length > 0) {
      task.supports = supports.names.map((name) => unit(name, node.line, 'external'));
      taskReview['supports'] = `据“${supports.words.join('；')}”`;
    }
    for (const name of namedCommunities(text)) communities.add(name);

    // Dates: the latest is the deadline, earlier ones are nodes; recurring duties apart.
    // The title too: a phase gives its dates there, "动员部署阶段(2010年9月10日至9月17日)".
    const dateText = [body === '' && description === node.text.trim() ? description : `${title}。${description}`, node.deadlineWords ?? ''].join('。');
    const readings = readDates(dateText, campaignYear);
    const unread = /春节|端午|中秋|清明|元宵/.exec(dateText);
    if (unread && readings.every((r) => !r.words.includes(unread[0]))) {
      findings.push({ code: 'date-unread', line: node.line, text: shorten(clauseAround(dateText, unread.index)) });
    }
    for (const r of readings) {
      // A date the text also gives with its year ("(4月-5月中旬)" beside "2011年5月20日前") assumes nothing.
      if (r.yearGuessed && !readings.some((o) => !o.yearGuessed && o.date === r.date)) findings.push({ code: 'year-assumed', line: node.line, text: `${r.words} → ${r.date}` });
    }
    if (readings.length > 0) {
      const ordered = [...readings].sort((a, b) => a.date.localeCompare(b.date));
      const latest = ordered[ordered.length - 1]!;
      let source = clauseAround(dateText, latest.index);
      for (const words of supports.words) if (source.startsWith(words.replace(/^.*?(协助|配合)/, '$1'))) source = source.slice(words.length);
      source = source.replace(/^积极(?:协助|配合)[^落]*?(?=落实)/, '');
      task.deadline = { date: latest.date, rule: latest.rule, source: source === '' ? latest.words : source };
      taskReview['deadline'] = `${latest.words} → ${latest.rule} ${latest.date}${latest.yearGuessed ? '（年份按活动年份推定）' : ''}`;
      const earlier = ordered.slice(0, -1).filter((r) => r.date !== latest.date);
      if (earlier.length > 0) {
        task.nodes = earlier.map((r, i) => ({ id: `node-${i + 1}`, date: r.date, rule: r.rule, source: r.words, what: clauseAround(dateText, r.index) }));
        taskReview['nodes'] = '同一任务内的多个时间节点：what 取所在分句，请核对';
      }
    } else if (/年内|全年/.test(dateText)) {
      task.deadline = { source: /全年/.test(dateText) ? '全年' : '年内' };
    }
    // A phase's span, "(5月下旬-8月)": the work cannot begin before its first day, and
    // its recurring duties (每月10日、20日前) recur only inside it.
    const span = readSpan(title, campaignYear);
    const phase = span !== undefined && span.from >= campaign.start && span.until <= campaign.end ? span : undefined;
    if (phase !== undefined && phase.from > campaign.start) {
      task.start = { date: phase.from, source: phase.words };
      taskReview['start'] = `阶段“${phase.words}”：${phase.from}起${phase.yearGuessed ? '（年份按活动年份推定）' : ''}`;
    }
    const recurring = readRecurring(dateText);
    if (recurring.length > 0) {
      task.recurring = recurring.flatMap((r, i) => {
        const clause = clauseAround(dateText, r.index);
        const duty = /调度/.test(clause) ? 'dispatch' : /检查|督查|巡查/.test(clause) ? 'check' : 'report';
        // "区政府办每月调度": the office named before the period dispatches.
        const dispatcher = duty === 'dispatch' ? /([\u4e00-\u9fa5]{2,15}?(?:办公室|办|局|委|室|指挥部))(?:每月|每季度|每周|定期)/.exec(clause)?.[1] : undefined;
        const by = dispatcher ? unit(dispatcher.replace(/^由/, ''), node.line) : undefined;
        if (by) {
          task.dispatcher = by;
          taskReview['dispatcher'] = `据“${clause}”`;
        }
        const days = r.days.length > 0 ? r.days : [undefined];
        return days.map((day, j) => ({
          id: `${r.every}-${duty}-${i + 1}${days.length > 1 ? `-${j + 1}` : ''}`,
          every: r.every,
          ...(day !== undefined ? { day } : {}),
          rule: r.rule,
          duty,
          ...(by ? { by } : {}),
          source: clause,
          ...(phase === undefined ? {} : { from: phase.from, until: phase.until }),
        }));
      });
      taskReview['recurring'] = `周期性职责：duty（report/dispatch/check）按词语推断${phase === undefined ? '' : `；只在阶段“${phase.words}”内（from … until）`}`;
    }
    // 报…备案: one filing, or several (台帐 and 工作安排 each filed), each told apart by what is filed (将…报…备案).
    const filings = [...dateText.matchAll(/(?:将([^，,。；;报]{1,16}?))?报([^，,。；;]{2,20}?)备案/g)];
    if (filings.length === 1 && filings[0] !== undefined) {
      task.filing = { with: unit(filings[0][2] ?? '', node.line, 'external'), source: filings[0][0].replace(/^将[^报]*/, '') };
      taskReview['filing'] = '备案机关按原文推断';
    } else if (filings.length > 1) {
      task.filing = filings.map((f) => ({ with: unit(f[2] ?? '', node.line, 'external'), source: f[0] }));
      taskReview['filing'] = `${filings.length}项备案：备案机关按原文推断`;
    }
    const targets = readTargets(`${title}。${body}`);
    if (targets.length > 0) {
      task.targets = targets;
      taskReview['targets'] = '指标按数字与“左右/不低于”等词推断';
    }
    container.tasks.push(task);
    draftTasks.push({ task, action, node });
    void action;
    action = sectionOf.get(top) ?? action;
  }

  // Units named to supervise (负责组织…督查考核) supervise every other task.
  const supervising = draftTasks.find(({ node }) => node.supervises);
  if (supervising) {
    for (const { task } of draftTasks) {
      if (task === supervising.task || task.lead[0] === undefined) continue;
      const bodies = supervising.task.lead;
      task.supervisor = bodies.length === 1 ? bodies[0] : [...bodies];
      task.review['supervisor'] = `据第${supervising.node.line}行“${shorten(supervising.node.text, 24)}”${bodies.length > 1 ? `：${bodies.length}个督查单位` : ''}`;
    }
  }

  // Communities the text names: a collective of communities stands for them.
  for (const name of communities) unit(name, lines.find((l) => l.text.includes(name))?.line ?? 1, 'community');
  for (const u of [...units]) {
    if (u.kind !== 'collective') continue;
    u.members = guessMembers(u.name, units);
    if (u.members.length > 0) {
      u.review['members'] = '成员按名称推断，原文未逐一列出';
      continue;
    }
    findings.push({ code: 'collective-without-members', line: u.line, text: u.name });
    u.review['members'] = '原文未列出成员单位：请补全';
    if (options.examplePeople) {
      // One invented member, marked example, so that the draft validates and runs; the
      // reviewer replaces it with the real units (the seed's example communities do the same).
      const noun = (collectiveNoun(u.name) ?? u.name).replace(/^(?:相关|有关)/, '');
      const example = unitOf(unit(`${noun}（示例）`, u.line, guessKind(noun)));
      example.example = true;
      u.members = [example.code];
      u.review['members'] = '原文未列出成员单位：示例成员（example: true），请换成真实单位';
    }
  }

  // -- Milestones from the opening part --------------------------------------------------------
  const opening = [...preamble, ...[...walk(roots)].filter((n) => !tasks.includes(n) && !tasks.some((t) => isAncestor(n, t) || isAncestor(t, n))).flatMap((n) => [{ text: n.text, line: n.line }, ...n.body])];
  const milestones = readMilestones(opening, campaignYear);
  for (const milestone of milestones) {
    const focus = bigrams(milestone.focus ?? '');
    milestone.focusActions = sections
      .filter((s) => [...bigrams(titleCore(s.title))].filter((g) => focus.has(g)).length >= 2)
      .map((s) => s.number ?? 0);
    milestone.review['focusActions'] = '按重点内容与各节标题的字面重合推断';
  }
  for (const { task, action } of draftTasks) {
    task.milestones = milestones.filter((m) => m.focusActions.includes(action.number ?? 0) || m.due === campaign.end).map((m) => m.id);
    if (task.milestones.length > 0) task.review['milestones'] = '按节点重点所涉的节（以及活动结束节点）分配';
  }

  // -- What was left out ---------------------------------------------------------------------------
  for (const node of walk(roots)) {
    if (tasks.includes(node) || tasks.some((t) => isAncestor(node, t) || isAncestor(t, node))) continue;
    const siblingsAreTasks = (node.parent?.children ?? roots).some((s) => tasks.includes(s));
    if (siblingsAreTasks && node.children.length === 0) findings.push({ code: 'item-without-units', line: node.line, text: shorten(`${node.numbered.printed}${node.text}`) });
  }
  const setUp = lines.find((l) => /(指挥部|领导小组|工作专班)/.test(l.text) && /(成立|组建|设立)/.test(l.text));
  const organization = setUp ? readOrganization(setUp, sections, (name) => unit(name, setUp.line)) : undefined;
  if (setUp && !organization) findings.push({ code: 'organization-not-imported', line: setUp.line, text: shorten(setUp.text) });

  const people: DraftPerson[] = [];
  if (options.examplePeople) {
    for (const u of units.filter((u) => u.kind !== 'collective' && u.kind !== 'external')) {
      people.push({ id: `${u.code}-head`, name: `${u.name}负责人（示例）`, unit: u.code, roles: ['unit-head'], example: true });
    }
    // Someone to review the work and sign for HQ: an invented supervision office.
    const office = unitOf(unit('督办办公室（示例）', 1, 'office'));
    office.example = true;
    office.review = { kind: '示例单位：原文未写督办机构', en: '英文名待填' };
    people.push({ id: `${office.code}-supervisor`, name: '督办人员（示例）', unit: office.code, roles: ['supervisor', 'hq-office'], example: true });
  }
  if (people.length === 0) findings.push({ code: 'roster-empty', line: 1, text: '' });
  // The invented supervisor sits in the supervision group, so the group has someone to act.
  const supervisor = people.find((p) => p.roles.includes('supervisor'));
  const supervisionGroup = organization?.groups.find((g) => g.duty === 'supervision');
  if (supervisor && supervisionGroup) supervisionGroup.members.push(supervisor.id);

  const title = readTitle(lines, preamble) ?? options.id;
  review['title'] = '标题取自原文；英文标题待填';
  return {
    plan: { id: options.id, title, campaign: { start: campaign.start, end: campaign.end }, units, people, milestones, sections, review, ...(organization ? { organization } : {}) },
    // By line, then by kind: the same text always gives the same report.
    findings: findings.sort((a, b) => a.line - b.line || a.code.localeCompare(b.code) || a.text.localeCompare(b.text)),
  };
}
