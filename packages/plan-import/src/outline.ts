/**
 * The outline of a published plan: its numbered items nested as the text numbers them, each
 * with the lines under it and the units it is given, in whatever form (a bracket on the item
 * or on a line of its own, a labelled line, a table row, the item's heading, the subjects of a
 * phase's sentences). It is the document's shape, not yet the plan's: which items are tasks is
 * decided here; what a task says, and which level makes the sections, is the drafting's part.
 */
import { shorten, type Finding } from './draft';
import { readNumber, type NumberStyle, type Numbered } from './numbering';
import type { SourceLine } from './read';
import { mergeRoles, PRIMARY_RULE, readRoleLine, SUBJECT, takeRoleBracket, unitHeading, type RoleWords } from './roles';

export interface OutlineNode {
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

/** Builds the outline: items nest in the order their numbering styles first appear. */
export function outline(lines: readonly SourceLine[], findings: Finding[]): { roots: OutlineNode[]; preamble: SourceLine[]; primaryRule?: SourceLine } {
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

export function* walk(nodes: readonly OutlineNode[]): Generator<OutlineNode> {
  for (const node of nodes) {
    yield node;
    yield* walk(node.children);
  }
}

export function rolesOf(node: OutlineNode): { roles: RoleWords; line: number; inherited: boolean } | undefined {
  if (node.roles) return { roles: node.roles, line: node.rolesLine ?? node.line, inherited: false };
  for (let up = node.parent; up; up = up.parent) {
    if (up.roles && up.rolesCoverChildren) return { roles: up.roles, line: up.rolesLine ?? up.line, inherited: true };
  }
  return undefined;
}

/** The nodes that are tasks: items with units, or the sub-items of an item whose units cover them. */
export function taskNodes(roots: readonly OutlineNode[]): OutlineNode[] {
  const tasks: OutlineNode[] = [];
  for (const node of walk(roots)) {
    if (node.roles && !node.rolesCoverChildren) tasks.push(node);
    else if (!node.roles && rolesOf(node)?.inherited && node.children.length === 0) tasks.push(node);
  }
  // An item with its own units is the task; sub-items under it are its measures.
  return tasks.filter((task) => !tasks.some((other) => other !== task && isAncestor(other, task)));
}

export function isAncestor(ancestor: OutlineNode, node: OutlineNode): boolean {
  for (let up = node.parent; up; up = up.parent) if (up === ancestor) return true;
  return false;
}

export function ancestors(node: OutlineNode): OutlineNode[] {
  const chain: OutlineNode[] = [];
  for (let up = node.parent; up; up = up.parent) chain.unshift(up);
  return chain;
}

export function fullText(node: OutlineNode): string {
  return [node.text, ...node.body.map((b) => b.text), node.deadlineWords ?? ''].join('。');
}
