/**
 * The words that give a task its units: 〔牵头单位:城建办、城管办,责任单位:各相关社区〕,
 * （牵头单位：…；责任单位：…；配合单位：…）, lines of their own (牵头单位:区发改局), a
 * bracket after a list of measures ((责任单位:市直各有关单位…)), and the short form
 * (市政府办公室牵头,市级各有关部门按职责分工负责). Also the unlabelled ways: an item headed by
 * its units ((十六)各区县政府和地区管委会。…), the subjects of a phase's sentences (各区县政府要…),
 * and the note that makes the first lead primary (注:…以排名在前的为主).
 */
import { splitUnitNames } from './units';

export interface RoleWords {
  lead: string[];
  responsible: string[];
  cooperating: string[];
  /** The words as written, per role, for responsibleSource and the review notes. */
  leadWords?: string;
  responsibleWords?: string;
  cooperatingWords?: string;
  /** A deadline given beside the units (完成时限：9月底前). */
  deadlineWords?: string;
}

const LABEL = '(牵头单位|牵头部门|责任单位|责任部门|主责单位|配合单位|配合部门|协办单位|协助单位|参与单位|完成时限|时间节点|完成时间)';
const LABEL_RE = new RegExp(`${LABEL}\\s*[:：]`, 'g');

type RoleKey = 'lead' | 'responsible' | 'cooperating' | 'deadline';

function roleOf(label: string): RoleKey {
  if (label.startsWith('牵头')) return 'lead';
  if (label.startsWith('责任') || label.startsWith('主责')) return 'responsible';
  if (label.startsWith('完成') || label.startsWith('时间')) return 'deadline';
  return 'cooperating';
}

/** Reads "牵头单位:…,责任单位:…" (labels in any order); undefined when no label is there. */
export function readLabelledRoles(text: string): RoleWords | undefined {
  const marks = [...text.matchAll(LABEL_RE)];
  if (marks.length === 0) return undefined;
  const roles: RoleWords = { lead: [], responsible: [], cooperating: [] };
  for (const [i, mark] of marks.entries()) {
    const start = (mark.index ?? 0) + mark[0].length;
    const end = marks[i + 1]?.index ?? text.length;
    const words = text
      .slice(start, end)
      .trim()
      .replace(/[,，;；。]+$/, '')
      .trim();
    add(roles, roleOf(mark[1] ?? ''), words);
  }
  return roles;
}

function add(roles: RoleWords, key: RoleKey, words: string): void {
  if (words === '') return;
  if (key === 'deadline') {
    roles.deadlineWords = words;
    return;
  }
  roles[key].push(...splitUnitNames(words));
  const field = `${key}Words` as const;
  roles[field] = roles[field] === undefined ? words : `${roles[field]}、${words}`;
}

/** "市政府办公室、市审改办牵头,市级各有关部门及各县市区政府按职责分工负责" (no labels). */
export function readShortRoles(text: string): RoleWords | undefined {
  const m = /^(.+?)牵头[,，;；](.+?)(?:按职责分工)?(负责|配合|参与)?$/.exec(text.trim());
  if (!m) return undefined;
  const roles: RoleWords = { lead: [], responsible: [], cooperating: [] };
  add(roles, 'lead', m[1] ?? '');
  add(roles, m[3] === '配合' || m[3] === '参与' ? 'cooperating' : 'responsible', (m[2] ?? '').replace(/及/g, '、'));
  return roles;
}

export interface BracketRoles {
  roles: RoleWords;
  /** The text with the bracket taken out. */
  rest: string;
  /** The bracket was the whole text (a line of its own). */
  whole: boolean;
}

const OPEN = '〔[（(【';

/**
 * Finds the bracket that gives units, counting nested parentheses so that
 * "(责任单位:各县(市、区)人民政府)" closes at the right place.
 */
export function takeRoleBracket(text: string): BracketRoles | undefined {
  const chars = [...text];
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    const open = chars[i] ?? '';
    if (!OPEN.includes(open)) continue;
    let depth = 0;
    let end = -1;
    for (let j = i; j < chars.length; j += 1) {
      const ch = chars[j] ?? '';
      if (OPEN.includes(ch)) depth += 1;
      else if ('〕]）)】'.includes(ch)) {
        depth -= 1;
        if (depth === 0) {
          end = j;
          break;
        }
      }
    }
    if (end < 0) continue;
    // Any closing mark closes any opening one: sites mix half-width and full-width marks.
    const inner = chars.slice(i + 1, end).join('');
    const roles = readLabelledRoles(inner) ?? readShortRoles(inner);
    if (!roles || roles.lead.length + roles.responsible.length + roles.cooperating.length === 0) continue;
    const rest = (chars.slice(0, i).join('') + chars.slice(end + 1).join('')).trim();
    return { roles, rest, whole: rest === '' };
  }
  return undefined;
}

/** A line that is only units: "牵头单位:区发改局" or "责任单位:立山经济开发区,…". */
export function readRoleLine(text: string): RoleWords | undefined {
  if (!new RegExp(`^${LABEL}\\s*[:：]`).test(text.trim())) return undefined;
  return readLabelledRoles(text);
}

export function mergeRoles(into: RoleWords, more: RoleWords): RoleWords {
  const merged: RoleWords = {
    lead: [...into.lead, ...more.lead],
    responsible: [...into.responsible, ...more.responsible],
    cooperating: [...into.cooperating, ...more.cooperating],
  };
  for (const key of ['leadWords', 'responsibleWords', 'cooperatingWords', 'deadlineWords'] as const) {
    const words = [into[key], more[key]].filter((w): w is string => w !== undefined);
    if (words.length > 0) merged[key] = words.join('、');
  }
  return merged;
}

/** The note that says the first lead unit is primary (下同: for every task). */
export const PRIMARY_RULE = /(以排名在前的为主|排名第一的为牵头|列第一位的.{0,6}为牵头|第一个为牵头|排在首位的为主)/;

/** A name that ends as units' names do (区城管局, 各区县政府和地区管委会, 市委督查室). */
const UNIT_NAME = /(政府|管委会|领导小组|办公室|督查室|局|委|办|厅|中心|部门|单位|公司|社区|街道|专班)$/;

/**
 * An item headed by its units, "(十六)各区县政府和地区管委会。落实属地责任…": the heading
 * lists units and the text after it is their duty.
 */
export function unitHeading(text: string): { names: string[]; duty: string } | undefined {
  const stop = text.indexOf('。');
  if (stop <= 0 || stop === text.length - 1) return undefined;
  const names = splitUnitNames(text.slice(0, stop));
  if (names.length === 0 || !names.every((n) => UNIT_NAME.test(n) && [...n].length <= 20)) return undefined;
  return { names, duty: text.slice(stop + 1).trim() };
}

/** "各区县政府和地区管委会要…", "自治州专项行动领导小组将…": who acts, in a phase of a campaign. */
export const SUBJECT = /(?:^|[。；;，,])\s*(?:[一二三四五六七八九十]是[^。；;]*?[。；;])?\s*((?:各|市|区|县|州|自治州|自治区)[^，,。；;“”《》]{1,30}?(?:政府|管委会|领导小组|办公室|局|委|办|部门|单位))(?=要|将|对|建立|制定|在|分别)/g;
