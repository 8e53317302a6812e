/**
 * The headquarters a plan sets up (成立…指挥部), from the one line that sets it up. Format 2
 * keeps organization optional, so this reading stands alone: where it fails, the import
 * reports the line and drafts the plan without it.
 */
import type { DraftOrganization, DraftSection, Review } from './draft';
import { chineseNumber } from './numbering';
import type { SourceLine } from './read';

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
export function readOrganization(source: SourceLine, sections: readonly DraftSection[], unit: (name: string) => string): DraftOrganization | undefined {
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
