/**
 * Units as plans name them, and what an import can only guess about them: their code (the
 * name in pinyin), their kind (from the name's ending: 社区, 街道, 管委会, 区政府, 局…), and
 * what a collective (各街道, 区直各部门, 各相关社区) stands for, with the communities a text
 * names (兰宫路社区) for a collective of communities to stand for.
 */
import { pinyin } from 'pinyin-pro';

export type UnitKind =
  | 'office'
  | 'community'
  | 'external'
  | 'city-bureau'
  | 'district-government'
  | 'county-government'
  | 'management-committee'
  | 'vertical-bureau'
  | 'street'
  | 'enterprise'
  | 'collective'
  | 'other';

export interface DraftUnit {
  code: string;
  name: string;
  kind: UnitKind;
  /** For a collective: the codes of the plan's units it stands for (a guess, or none known). */
  members?: string[];
  /** The 1-based line where the text first names it. */
  line: number;
  /** An invented unit, not from the source (an example member of a collective). */
  example?: boolean;
}

/** Vertically managed bodies (垂直管理): a district names them but does not run them. */
const VERTICAL = /(税务局|税务|海关|气象局|烟草|邮政|供电|国家电网|消防救援|人民银行|金融监管|统计调查队)/;

/** The kind a unit's name suggests; always marked for review. */
export function guessKind(name: string): UnitKind {
  if (isCollective(name)) return 'collective';
  if (/社区$|居委会$|村委会$|村$/.test(name)) return 'community';
  if (/(街道|街道办事处|街道办|镇|乡)$/.test(name)) return 'street';
  if (/(管委会|开发区|园区|新区)$/.test(name)) return 'management-committee';
  if (VERTICAL.test(name)) return 'vertical-bureau';
  if (/县(?:人民)?政府$/.test(name)) return 'county-government';
  if (/区(?:人民)?政府$|市(?:人民)?政府$/.test(name)) return 'district-government';
  if (/(公司|集团|城投)$/.test(name)) return 'enterprise';
  if (/^市.*(局|委|办|厅|中心|室)$/.test(name)) return 'city-bureau';
  if (/(办|局|委|中心|所|科|处|部|队|站|室|专班)$/.test(name)) return 'office';
  return 'other';
}

/** 各街道, 区直各部门, 各相关社区, 全区经济运行各专班, 市级各有关部门: a name for many units. */
export function isCollective(name: string): boolean {
  return /各/.test(name) || /^(?:市区|相关|有关)(?:有关)?(?:部门|单位)$/.test(name);
}

/** The plain noun of a collective (各相关社区 → 社区), to find its members among the units. */
export function collectiveNoun(name: string): string | undefined {
  const m = /各(?:相关|有关)?(.+)$/.exec(name);
  return m?.[1];
}

/** Which units a collective stands for: units whose names end with its noun, or of its kind. */
export function guessMembers(collective: string, units: readonly DraftUnit[]): string[] {
  const noun = collectiveNoun(collective);
  if (!noun) return [];
  const byEnding = (ending: string) => units.filter((u) => u.kind !== 'collective' && u.name.endsWith(ending)).map((u) => u.code);
  if (/社区$/.test(noun)) return units.filter((u) => u.kind === 'community').map((u) => u.code);
  if (/街道/.test(noun)) return units.filter((u) => u.kind === 'street').map((u) => u.code);
  if (/政府$/.test(noun)) return units.filter((u) => u.kind === 'county-government' || u.kind === 'district-government').map((u) => u.code);
  if (/管委会$/.test(noun)) return units.filter((u) => u.kind === 'management-committee').map((u) => u.code);
  if (/部门$/.test(collective) && /区直|市直|区级|市级/.test(collective)) return units.filter((u) => u.kind === 'office' || u.kind === 'city-bureau').map((u) => u.code);
  return byEnding(noun);
}

/** Named communities in the text (兰宫路社区), so 各相关社区 has members to stand for. */
export function namedCommunities(text: string): string[] {
  return [...text.matchAll(/([\u4e00-\u9fa5]{1,4}(?:路|街|村|里|苑|园|湾|坊|港|桥))社区/g)]
    // The words before a name are not part of it: 新增兰宫路社区 names 兰宫路社区.
    .map((m) => `${(m[1] ?? '').replace(/^(?:新增|新建|对|在|将|把|由|推进|完成|指导|支持)/, '')}社区`)
    .filter((name) => !/^(?:街巷|小街巷|背街小巷)社区$/.test(name));
}

/**
 * A code for a unit: its name in toneless pinyin (城建办 → chengjianban), letters and digits
 * only, made unique with -2, -3 … A person may shorten it; codes only need to be stable.
 */
export function unitCode(name: string, taken: ReadonlySet<string>): string {
  const letters = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'removed' })
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  const base = (letters === '' ? 'unit' : letters).slice(0, 60);
  let code = base;
  for (let n = 2; taken.has(code); n += 1) code = `${base}-${n}`;
  return code;
}

/**
 * Splits a list of unit names at 、，,; — but not inside parentheses, so
 * "各县(市、区)人民政府" stays one name — and drops the words that are not a name
 * (按职责分工负责, 等).
 */
export function splitUnitNames(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '（') depth += 1;
    if ((ch === ')' || ch === '）') && depth > 0) depth -= 1;
    if (depth === 0 && '、，,;；'.includes(ch)) {
      names.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  names.push(current);
  return names
    .map((name) =>
      name
        .trim()
        .replace(/(?:按职责分工负责|按职责分工|分别负责|负责|按职责|落实)$/, '')
        .replace(/等(?:有关)?(?:部门|单位)?$/, '')
        .replace(/[。.]$/, '')
        .trim(),
    )
    .filter((name) => name !== '');
}
