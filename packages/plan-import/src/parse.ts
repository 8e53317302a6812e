/**
 * From the lines of a published plan to a draft: an outline of its numbered items, the
 * units each item is given, the dates its text states, and the milestones of its opening
 * part. The rules are those of Chinese official documents; whatever they cannot decide is
 * a guess marked for review, and whatever they cannot place is a finding with its line.
 */
import { clauseAround, readCampaign, readDates, readRecurring, readSpan, type DateReading } from './dates';
import type { DraftMilestone, DraftOrganization, DraftPerson, DraftPlan, DraftSection, DraftTask, Finding, Review } from './draft';
import { chineseNumber, readNumber, type NumberStyle, type Numbered } from './numbering';
import { mergeRoles, readRoleLine, takeRoleBracket, type RoleWords } from './roles';
import { collectiveNoun, guessKind, guessMembers, isCollective, splitUnitNames, unitCode, type DraftUnit } from './units';

/** One line of the source: its text (trimmed) and its 1-based number. */
export interface SourceLine {
  text: string;
  line: number;
}

interface OutlineNode {
  numbered: Numbered;
  depth: number;
  line: number;
  /** The item's own text after its number, without a units bracket. */
  text: string;
  /** Lines under it before the next numbered item. */
  body: SourceLine[];
  children: OutlineNode[];
  parent?: OutlineNode;
  roles?: RoleWords;
  rolesLine?: number;
  /** The units were given after a run of sub-items, for all of them. */
  rolesCoverChildren?: boolean;
  /** A table row: the deadline column's words. */
  deadlineWords?: string;
  /** How the units were read where it is not a labelled bracket or line: a guess to mark. */
  how?: 'heading' | 'subject';
  /** The units of this item supervise the others (负责组织…督查考核). */
  supervises?: boolean;
}

export interface ParseOptions {
  /** The plan's id; default from the file name. */
  id: string;
  /** Add one example unit head per unit (marked example) so the draft validates and runs at once. */
  examplePeople?: boolean;
  /** The year to assume when the text states none (default: the campaign's). */
  fallbackYear: number;
}

const shorten = (text: string, max = 40): string => ([...text].length > max ? `${[...text].slice(0, max).join('')}…` : text);

/** The note that says the first lead unit is primary (下同: for every task). */
const PRIMARY_RULE = /(以排名在前的为主|排名第一的为牵头|列第一位的.{0,6}为牵头|第一个为牵头|排在首位的为主)/;

/** Lines that are a table of tasks: `| 序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限 |`. */
function tableCells(text: string): string[] | undefined {
  if (!text.startsWith('|')) return undefined;
  return text
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());
}

const COLUMN = {
  number: /^(序号|编号|序)$/,
  task: /(任务|措施|内容|事项|工作)/,
  lead: /牵头/,
  responsible: /(责任|主责)/,
  cooperating: /(配合|协办|协助|参与)/,
  deadline: /(时限|时间|节点|期限)/,
};

/** The order of GB/T 9704: 一、 above (一) above 1. above (1) above ①. */
const STYLE_RANK: Record<NumberStyle, number> = { 'cn-comma': 0, 'cn-paren': 1, 'num-dot': 2, 'num-paren': 3, circled: 4 };

/** A name that ends as units' names do (区城管局, 各区县政府和地区管委会, 市委督查室). */
const UNIT_NAME = /(政府|管委会|领导小组|办公室|督查室|局|委|办|厅|中心|部门|单位|公司|社区|街道|专班)$/;

/**
 * An item headed by its units, "(十六)各区县政府和地区管委会。落实属地责任…": the heading
 * lists units and the text after it is their duty.
 */
function unitHeading(text: string): { names: string[]; duty: string } | undefined {
  const stop = text.indexOf('。');
  if (stop <= 0 || stop === text.length - 1) return undefined;
  const names = splitUnitNames(text.slice(0, stop));
  if (names.length === 0 || !names.every((n) => UNIT_NAME.test(n) && [...n].length <= 20)) return undefined;
  return { names, duty: text.slice(stop + 1).trim() };
}

/** "各区县政府和地区管委会要…", "自治州专项行动领导小组将…": who acts, in a phase of a campaign. */
const SUBJECT = /(?:^|[。；;，,])\s*(?:[一二三四五六七八九十]是[^。；;]*?[。；;])?\s*((?:各|市|区|县|州|自治州|自治区)[^，,。；;“”《》]{1,30}?(?:政府|管委会|领导小组|办公室|局|委|办|部门|单位))(?=要|将|对|建立|制定|在|分别)/g;

/** Builds the outline: items nest in the order their numbering styles first appear. */
function outline(lines: readonly SourceLine[], findings: Finding[]): { roots: OutlineNode[]; preamble: SourceLine[]; primaryRule?: SourceLine } {
  const roots: OutlineNode[] = [];
  const preamble: SourceLine[] = [];
  const styles: NumberStyle[] = [];
  const open: OutlineNode[] = [];
  let last: OutlineNode | undefined;
  let primaryRule: SourceLine | undefined;
  let header: Record<keyof typeof COLUMN, number> | undefined;
  let rowNumber = 0;

  const place = (node: OutlineNode) => {
    const parent = node.depth > 0 ? open[node.depth - 1] : undefined;
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else roots.push(node);
    open.length = node.depth;
    open[node.depth] = node;
    last = node;
  };

  const giveRoles = (roles: RoleWords, line: number, bracketLine: boolean) => {
    if (!last) {
      findings.push({ code: 'units-without-item', line, text: shorten(roles.leadWords ?? roles.responsibleWords ?? '') });
      return;
    }
    let target = last;
    // A bracket on its own line after a run of sub-items none of which has units is for
    // all of them: it belongs to their parent (运城: (1)…(4) then (责任单位:…)).
    const siblings = target.parent?.children ?? [];
    if (bracketLine && target.roles === undefined && target.parent && siblings.length >= 2 && siblings.every((s) => s.roles === undefined)) {
      target = target.parent;
      target.rolesCoverChildren = true;
    }
    target.roles = target.roles ? mergeRoles(target.roles, roles) : roles;
    target.rolesLine ??= line;
  };

  for (const source of lines) {
    const text = source.text;
    const cells = tableCells(text);
    if (cells) {
      if (cells.every((c) => /^:?-{2,}:?$/.test(c) || c === '')) continue;
      const columns = Object.fromEntries(
        Object.entries(COLUMN).map(([key, re]) => [key, cells.findIndex((c) => re.test(c))]),
      ) as Record<keyof typeof COLUMN, number>;
      if (columns.lead >= 0 || columns.responsible >= 0) {
        header = columns;
        rowNumber = 0;
        continue;
      }
      if (header) {
        // A task row: numbered by its 序号 column, or by its place in the table.
        rowNumber += 1;
        const cell = (key: keyof typeof COLUMN) => (header![key] >= 0 ? (cells[header![key]] ?? '') : '');
        const printed = cell('number');
        const value = /^\d+$/.test(printed) ? Number(printed) : rowNumber;
        const taskText = header.task >= 0 ? cell('task') : cells.filter((_, i) => !Object.values(header!).includes(i)).join(' ');
        const parentDepth = open.length;
        const node: OutlineNode = {
          numbered: { style: 'num-dot', value, printed: printed === '' ? String(value) : printed, rest: taskText },
          depth: parentDepth,
          line: source.line,
          text: taskText,
          body: [],
          children: [],
        };
        const roles: RoleWords = { lead: [], responsible: [], cooperating: [] };
        const labelled = readRoleLine(`牵头单位:${cell('lead')}；责任单位:${cell('responsible')}；配合单位:${cell('cooperating')}`);
        node.roles = labelled ?? roles;
        node.rolesLine = source.line;
        const deadline = cell('deadline');
        if (deadline !== '') node.deadlineWords = deadline;
        const parent = open[parentDepth - 1];
        if (parent) {
          node.parent = parent;
          parent.children.push(node);
        } else roots.push(node);
        last = node;
        continue;
      }
    } else header = undefined;

    const numbered = readNumber(text);
    if (numbered) {
      let depth = styles.indexOf(numbered.style);
      if (depth < 0) {
        // A style not seen yet nests below the ones seen, unless official usage ranks it
        // above them (an excerpt that opens at (十六) and goes on with 四、).
        const above = styles.findIndex((style) => STYLE_RANK[style] > STYLE_RANK[numbered.style]);
        if (above >= 0) styles.length = above;
        styles.push(numbered.style);
        depth = styles.length - 1;
      } else styles.length = depth + 1;
      // A style deeper than the items open so far (a document that skips a level) sits under the last one.
      depth = Math.min(depth, open.length);
      const bracket = takeRoleBracket(numbered.rest);
      const node: OutlineNode = { numbered, depth, line: source.line, text: bracket ? bracket.rest : numbered.rest, body: [], children: [] };
      place(node);
      const headed = bracket ? undefined : unitHeading(numbered.rest);
      if (bracket) {
        node.roles = bracket.roles;
        node.rolesLine = source.line;
      } else if (headed) {
        node.roles = { lead: headed.names, responsible: [], cooperating: [] };
        node.rolesLine = source.line;
        node.text = headed.duty;
        node.how = 'heading';
        if (/^负责.{0,20}(督查|督导|检查考核|考核)/.test(headed.duty)) node.supervises = true;
      }
      continue;
    }
    if (/^注[:：]/.test(text) && PRIMARY_RULE.test(text)) {
      primaryRule = source;
      continue;
    }
    const roleLine = readRoleLine(text);
    if (roleLine) {
      giveRoles(roleLine, source.line, false);
      continue;
    }
    const bracket = takeRoleBracket(text);
    if (bracket?.whole) {
      giveRoles(bracket.roles, source.line, true);
      continue;
    }
    if (!last) {
      preamble.push(source);
      continue;
    }
    if (bracket) {
      giveRoles(bracket.roles, source.line, false);
      last.body.push({ text: bracket.rest, line: source.line });
    } else last.body.push(source);
  }
  // The phases of a campaign (动员部署阶段(…)) name no units: whoever the sentences say
  // acts (各区县政府要…) leads; the first named leads, the others are responsible.
  for (const node of walk(roots)) {
    if (node.roles || !/阶段/.test(node.text) || [...walk(node.children)].some((c) => c.roles)) continue;
    const text = [node.text, ...node.body.map((b) => b.text)].join('');
    const subjects = [...new Set([...text.matchAll(SUBJECT)].map((m) => m[1] ?? ''))].filter((n) => n !== '');
    if (subjects.length === 0) continue;
    node.roles = { lead: [subjects[0]!], responsible: subjects.slice(1), cooperating: [], leadWords: subjects[0]!, ...(subjects.length > 1 ? { responsibleWords: subjects.slice(1).join('、') } : {}) };
    node.rolesLine = node.line;
    node.how = 'subject';
  }
  return { roots, preamble, ...(primaryRule ? { primaryRule } : {}) };
}

function* walk(nodes: readonly OutlineNode[]): Generator<OutlineNode> {
  for (const node of nodes) {
    yield node;
    yield* walk(node.children);
  }
}

function rolesOf(node: OutlineNode): { roles: RoleWords; line: number; inherited: boolean } | undefined {
  if (node.roles) return { roles: node.roles, line: node.rolesLine ?? node.line, inherited: false };
  for (let up = node.parent; up; up = up.parent) {
    if (up.roles && up.rolesCoverChildren) return { roles: up.roles, line: up.rolesLine ?? up.line, inherited: true };
  }
  return undefined;
}

/** The nodes that are tasks: items with units, or the sub-items of an item whose units cover them. */
function taskNodes(roots: readonly OutlineNode[]): OutlineNode[] {
  const tasks: OutlineNode[] = [];
  for (const node of walk(roots)) {
    if (node.roles && !node.rolesCoverChildren) tasks.push(node);
    else if (!node.roles && rolesOf(node)?.inherited && node.children.length === 0) tasks.push(node);
  }
  // An item with its own units is the task; sub-items under it are its measures.
  return tasks.filter((task) => !tasks.some((other) => other !== task && isAncestor(other, task)));
}

function isAncestor(ancestor: OutlineNode, node: OutlineNode): boolean {
  for (let up = node.parent; up; up = up.parent) if (up === ancestor) return true;
  return false;
}

function ancestors(node: OutlineNode): OutlineNode[] {
  const chain: OutlineNode[] = [];
  for (let up = node.parent; up; up = up.parent) chain.unshift(up);
  return chain;
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

/** Title and body of an item: "城市绿道建设。协助…" → 城市绿道建设 and 协助…. */
function titleAndBody(text: string): { title: string; body: string; guessed: boolean } {
  const cleaned = text.trim();
  const stop = cleaned.indexOf('。');
  if (stop > 0 && stop < cleaned.length - 1) {
    return { title: cleaned.slice(0, stop), body: cleaned.slice(stop + 1).trim(), guessed: false };
  }
  const sentence = cleaned.replace(/。$/, '');
  if ([...sentence].length <= 40) return { title: sentence, body: '', guessed: false };
  // One long sentence: its first clause names it; the sentence is the description.
  const clause = clauseAround(sentence, 0);
  return { title: clause === '' ? shorten(sentence) : clause, body: '', guessed: true };
}

const SUPPORT = /(?:协助|配合)((?:[^,，。;；“”]+?))(?=等有关部门|等部门|等单位|在|落实|开展|实施|做好|,|，|。|$)/g;

/** "协助区城建局、城管局在…", "积极配合区城建局等有关部门": the outside bodies a task assists. */
function readSupports(text: string): { names: string[]; words: string[] } {
  const names: string[] = [];
  const words: string[] = [];
  for (const m of text.matchAll(SUPPORT)) {
    const list = (m[1] ?? '').trim();
    if (list === '' || /^(?:工作|做好|好)/.test(list)) continue;
    words.push(m[0]);
    for (const name of list.split(/[、和及]/)) {
      const trimmed = name.trim();
      if (trimmed !== '') names.push(trimmed);
    }
  }
  return { names, words };
}

/** Named communities in the text (兰宫路社区), so 各相关社区 has members to stand for. */
function namedCommunities(text: string): string[] {
  return [...text.matchAll(/([\u4e00-\u9fa5]{1,4}(?:路|街|村|里|苑|园|湾|坊|港|桥))社区/g)]
    // The words before a name are not part of it: 新增兰宫路社区 names 兰宫路社区.
    .map((m) => `${(m[1] ?? '').replace(/^(?:新增|新建|对|在|将|把|由|推进|完成|指导|支持)/, '')}社区`)
    .filter((name) => !/^(?:街巷|小街巷|背街小巷)社区$/.test(name));
}

const PERCENT = /(增长|下降|提高|降低|达到|控制在|保持)?(\d+(?:\.\d+)?)%(左右|以上|以内|以下)?/g;
const RELATIVE = /((?:不低于|高于|低于|不高于|快于|与)[^,，。；;]{0,20}?(?:平均水平|同步))/g;
const COUNT = /(\d+(?:\.\d+)?)(座|个|处|条|公里|千米|户|套|家|所|辆|台|项|万元|亿元|万平方米|平方米|亩)/g;

function readTargets(text: string): NonNullable<DraftTask['targets']> {
  const targets: NonNullable<DraftTask['targets']> = [];
  for (const m of text.matchAll(PERCENT)) {
    const description = clauseAround(text, m.index ?? 0);
    targets.push({ description, kind: m[3] === '左右' ? 'approx' : 'rate', percent: Number(m[2]) });
  }
  for (const m of text.matchAll(RELATIVE)) {
    targets.push({ description: clauseAround(text, m.index ?? 0), kind: 'relative', relation: m[1] ?? '' });
  }
  for (const m of text.matchAll(COUNT)) {
    if (/^(?:19|20)\d{2}$/.test(m[1] ?? '')) continue;
    targets.push({ description: clauseAround(text, m.index ?? 0), kind: 'exact', quantity: Number(m[1]), unit: m[2] ?? '' });
  }
  return targets;
}

/** Two-character runs of a text, to compare a milestone's focus with section titles. */
function bigrams(text: string): Set<string> {
  const chars = [...text.replace(/[^\u4e00-\u9fa5]/g, '')];
  const grams = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i += 1) grams.add(`${chars[i]}${chars[i + 1]}`);
  return grams;
}

/** The words of a section title that name its work: 开展公园绿道建设大提升行动 → 公园绿道建设. */
function titleCore(title: string): string {
  return title.replace(/^(开展|实施|推进|加快|深化|强化)/, '').replace(/(大提升行动|提升行动|专项行动|行动|工程)$/, '');
}

function milestoneEnglish(reading: DateReading): string {
  const year = reading.year;
  switch (reading.key) {
    case 'national-day':
      return `Before National Day ${year}`;
    case 'new-year':
      return `Before New Year's Day ${year}`;
    case 'labour-day':
      return `Before Labour Day ${year}`;
    case 'end':
    case 'year':
      return `By the end of ${year}`;
    case 'first-half':
      return `By the end of June ${year}`;
    default:
      return `${reading.rule === 'before' ? 'Before' : 'By'} ${reading.date}`;
  }
}

/**
 * Milestones from the text before the tasks (总体要求): a date followed by a comma opens
 * what is to be achieved by then, up to the next semicolon.
 */
function readMilestones(texts: readonly SourceLine[], campaignYear: number | undefined): DraftMilestone[] {
  const milestones: DraftMilestone[] = [];
  for (const source of texts) {
    for (const reading of readDates(source.text, campaignYear)) {
      const after = source.text.slice(reading.index + reading.words.length);
      if (!/^[,，]/.test(after)) continue;
      const focus = after.slice(1).split(/[;；]/)[0]?.replace(/[。]$/, '').trim() ?? '';
      if (focus === '') continue;
      const id = `${reading.key === 'year' ? 'end' : reading.key}-${reading.year}`;
      if (milestones.some((m) => m.id === id)) continue;
      milestones.push({
        id,
        source: reading.words,
        due: reading.date,
        rule: reading.rule,
        focusActions: [],
        en: milestoneEnglish(reading),
        focus,
        line: source.line,
        review: {
          rule: `${reading.words}: ${reading.rule === 'before' ? 'before（节日当天零时前）' : 'by（当日结束前）'}`,
        },
      });
    }
  }
  return milestones;
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

const GROUP_DUTY: [RegExp, DraftOrganization['groups'][number]['duty'], string][] = [
  [/宣传/, 'publicity', 'publicity'],
  [/督查|督导|考核/, 'supervision', 'supervision'],
  [/问责|纪律|作风/, 'accountability', 'accountability'],
];

/**
 * The headquarters the text sets up, "成立…指挥部,指挥部下设办公室和宣传、督查考核、作风问责三个
 * 工作组,以及十个提升行动分指挥部,指挥部办公室设在城管办": its name, office, working groups
 * and one sub-headquarters per section. People are not in the text: leaders and members
 * stay empty for the reviewer (or take the invented supervisor).
 */
function readOrganization(source: SourceLine, sections: readonly DraftSection[], unit: (name: string) => string): DraftOrganization | undefined {
  const text = source.text;
  const hq = /成立(?:由[^的]{1,20}的)?([^，,。；;的]{2,40}?(?:指挥部|领导小组))/.exec(text);
  if (!hq?.[1]) return undefined;
  const name = hq[1];
  const review: Review = { headquarters: '名称取自原文；领导（leaders）原文未列人员：请补全', groups: '工作组按名称推断职责（duty）；成员待补全' };
  const hostAt = /((?:指挥部|领导小组)办公室)设在([^，,。；;]{2,20})/.exec(text);
  const host = hostAt?.[2];
  const groupWords = /下设(?:办公室和)?([^。；;]+?)[一二三四五六七八九十两\d]+个(?:工作)?组/.exec(text)?.[1];
  const groups = (groupWords ?? '')
    .split('、')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g, i) => {
      const [, duty, code] = GROUP_DUTY.find(([re]) => re.test(g)) ?? [undefined, 'other' as const, `group-${i + 1}`];
      return { code, duty, name: g.endsWith('组') ? g : `${g}组`, en: g, members: [] as string[] };
    });
  // 十个…分指挥部: one per top-level section, named after it.
  const subCount = /([一二三四五六七八九十\d]+)个[^，,。；;]*?分指挥部/.exec(text)?.[1];
  const subHeadquarters =
    subCount !== undefined && chineseNumber(subCount) === sections.length
      ? sections.map((s) => ({ action: s.number ?? 0, name: `${s.title.replace(/^(开展|实施|推进)/, '')}分指挥部`, en: `${s.title.replace(/^(开展|实施|推进)/, '')}分指挥部`, leads: [] as string[] }))
      : [];
  if (subHeadquarters.length > 0) review['subHeadquarters'] = '分指挥部按各节标题命名（原文只写数目）；牵头单位待补全';
  return {
    headquarters: { name, en: name, leaders: [] },
    ...(host ? { office: { name: hostAt?.[1] ?? `${name}办公室`, en: hostAt?.[1] ?? `${name}办公室`, hostUnit: unit(host) } } : {}),
    groups,
    subHeadquarters,
    line: source.line,
    review,
  };
}

function fullText(node: OutlineNode): string {
  return [node.text, ...node.body.map((b) => b.text), node.deadlineWords ?? ''].join('。');
}

/** The plan's title: the line that names a 方案/计划/清单, else the opening sentence's subject. */
function readTitle(lines: readonly SourceLine[], preamble: readonly SourceLine[]): string | undefined {
  const at = preamble.findIndex((l) => /(方案|计划|清单|分解|要点)$/.test(l.text) && !/通知$/.test(l.text) && [...l.text].length <= 60);
  const named = preamble[at];
  if (named) {
    // A title printed over two lines: "立山区政府2023年重点工作" / "任务分解和责任分工方案".
    const before = preamble[at - 1];
    const continues = before !== undefined && !/[。:：,，)）]$/.test(before.text) && [...before.text].length <= 20 && !/^\d{4}年\d{1,2}月/.test(before.text) && !/(通知|政府|办公室|办公厅)$/.test(before.text);
    const joined = continues ? `${before.text}${named.text}` : named.text;
    return joined.replace(/^《|》$/g, '');
  }
  // "…关于印发《X》的通知" / "…关于印发X的通知": the plan is X.
  for (const l of lines.slice(0, 5)) {
    const m = /关于印发《?(.+?)》?的通知$/.exec(l.text);
    if (m?.[1]) return m[1];
  }
  const opening = lines[0]?.text ?? '';
  const m = /开展(?:为期[^的]+的)?(.+?)[,，]/.exec(opening);
  return m?.[1];
}
