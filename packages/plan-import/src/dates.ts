/**
 * Dates as plans write them: 9月底前, 2020年内, 2021年元旦前, 国庆节前, 每月23日前, 每季度,
 * 2020至2021两个年度. Each reading gives the date, the rule (`before` D: due as D starts;
 * `by` D: due as D ends, see @duban/plan) and the source words, and says whether the year
 * was guessed (a date without its year takes the campaign's).
 */
import { DateTime } from 'luxon';
import { chineseNumber } from './numbering';

export type Rule = 'before' | 'by';

export interface DateReading {
  date: string;
  rule: Rule;
  /** The words read, e.g. "2021年元旦前". */
  words: string;
  /** Where the words start in the text. */
  index: number;
  /** The year was not written next to the date: it is the campaign's, a guess to review. */
  yearGuessed: boolean;
  /** Holiday or period key for an id: national-day, new-year, end, … */
  key: string;
  year: number;
}

export interface RecurringReading {
  every: 'month' | 'quarter' | 'week' | 'year';
  days: number[];
  rule: Rule;
  words: string;
  index: number;
}

const iso = (y: number, m: number, d: number): string => DateTime.utc(y, m, d).toISODate() ?? '';
const endOfMonth = (y: number, m: number): string => DateTime.utc(y, m, 1).endOf('month').toISODate() ?? '';

/**
 * Holidays whose date is fixed in the solar calendar. A lunar holiday (春节, 端午, 中秋)
 * is not read: its date needs a lunar calendar and the plan should say the date.
 */
const SOLAR_HOLIDAYS: { words: string; key: string; month: number; day: number }[] = [
  { words: '元旦', key: 'new-year', month: 1, day: 1 },
  { words: '国庆节', key: 'national-day', month: 10, day: 1 },
  { words: '国庆', key: 'national-day', month: 10, day: 1 },
  { words: '五一', key: 'labour-day', month: 5, day: 1 },
  { words: '劳动节', key: 'labour-day', month: 5, day: 1 },
  { words: '七一', key: 'party-day', month: 7, day: 1 },
];

const YEAR = '((?:19|20)\\d{2})年?';
const MONTH = '(\\d{1,2}|[一二三四五六七八九十]{1,3})月';

function monthNumber(text: string): number | undefined {
  const n = chineseNumber(text);
  return n !== undefined && n >= 1 && n <= 12 ? n : undefined;
}

/**
 * Every date the text states, in text order; overlapping readings keep the longest (so
 * "2021年元旦前" is one date, not a year and a holiday).
 */
export function readDates(text: string, campaignYear: number | undefined): DateReading[] {
  const found: DateReading[] = [];
  const add = (m: RegExpExecArray, reading: Omit<DateReading, 'words' | 'index'>) => {
    found.push({ ...reading, words: m[0], index: m.index });
  };
  const yearOr = (written: string | undefined): { year: number; yearGuessed: boolean } | undefined => {
    if (written !== undefined) return { year: Number(written), yearGuessed: false };
    return campaignYear === undefined ? undefined : { year: campaignYear, yearGuessed: true };
  };
  let m: RegExpExecArray | null;

  // 2020至2021两个年度 / 2020—2021年: the later year's end.
  for (const re = /((?:19|20)\d{2})(?:年)?(?:至|—|-|–|到)((?:19|20)\d{2})年?(?:[两二三四五六七八九十]个年度)?/g; (m = re.exec(text)); ) {
    const year = Number(m[2]);
    add(m, { date: iso(year, 12, 31), rule: 'by', yearGuessed: false, key: 'end', year });
  }
  // A span of days, "2010年9月10日至9月17日": due at its last day.
  for (const re = new RegExp(`(?:${YEAR})?${MONTH}(\\d{1,2})日(?:至|—|－|-|到)(?:${YEAR})?${MONTH}(\\d{1,2})日`, 'g'); (m = re.exec(text)); ) {
    const y = yearOr(m[4] ?? m[1]);
    const month = monthNumber(m[5] ?? '');
    const day = Number(m[6]);
    if (!y || month === undefined) continue;
    add(m, { date: iso(y.year, month, day), rule: 'by', yearGuessed: y.yearGuessed, key: `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, year: y.year });
  }
  // A span of months, "(4月-5月中旬)", "(5月下旬-8月)", or one month in brackets, "(9月)".
  for (const re = /[（(](?:\d{1,2}月(?:[上中下]旬)?(?:-|—|－|至|到))?(\d{1,2})月(上旬|中旬|下旬|底)?[)）]/g; (m = re.exec(text)); ) {
    const y = yearOr(undefined);
    const month = monthNumber(m[1] ?? '');
    if (!y || month === undefined) continue;
    const part = m[2] ?? '';
    const date = part === '上旬' ? iso(y.year, month, 10) : part === '中旬' ? iso(y.year, month, 20) : endOfMonth(y.year, month);
    add(m, { date, rule: 'by', yearGuessed: y.yearGuessed, key: `end-${String(month).padStart(2, '0')}`, year: y.year });
  }
  // 2011年5月20日前, 5月20日前, 10月20日前
  for (const re = new RegExp(`(?:${YEAR})?${MONTH}(\\d{1,2})日(?:前|之前|以前)?`, 'g'); (m = re.exec(text)); ) {
    const y = yearOr(m[1]);
    const month = monthNumber(m[2] ?? '');
    const day = Number(m[3]);
    if (!y || month === undefined || day < 1 || day > 31) continue;
    add(m, { date: iso(y.year, month, day), rule: 'by', yearGuessed: y.yearGuessed, key: `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, year: y.year });
  }
  // 9月底前, 2022年10月底前, 6月份, 8月中旬, 5月上旬
  for (const re = new RegExp(`(?:${YEAR})?${MONTH}(底前|底|末|份|中旬|上旬|下旬)(?:前|之前)?`, 'g'); (m = re.exec(text)); ) {
    const y = yearOr(m[1]);
    const month = monthNumber(m[2] ?? '');
    if (!y || month === undefined) continue;
    const part = m[3] ?? '';
    const date = part === '上旬' ? iso(y.year, month, 10) : part === '中旬' ? iso(y.year, month, 20) : endOfMonth(y.year, month);
    add(m, { date, rule: 'by', yearGuessed: y.yearGuessed, key: `end-${String(month).padStart(2, '0')}`, year: y.year });
  }
  // 2021年元旦前, 国庆节前
  for (const holiday of SOLAR_HOLIDAYS) {
    for (const re = new RegExp(`(?:${YEAR})?${holiday.words}(?:节)?(?:前|之前)`, 'g'); (m = re.exec(text)); ) {
      const y = yearOr(m[1]);
      if (!y) continue;
      add(m, { date: iso(y.year, holiday.month, holiday.day), rule: 'before', yearGuessed: y.yearGuessed, key: holiday.key, year: y.year });
    }
  }
  // 2021年底, 年底前, 2020年内, 年内, 全年, 上半年
  for (const re = new RegExp(`(?:于)?(?:${YEAR})?(年底前|年底|年末|年内|全年|上半年|下半年)`, 'g'); (m = re.exec(text)); ) {
    const y = yearOr(m[1]);
    if (!y) continue;
    const part = m[2] ?? '';
    const date = part === '上半年' ? iso(y.year, 6, 30) : iso(y.year, 12, 31);
    add(m, { date, rule: 'by', yearGuessed: y.yearGuessed, key: part === '上半年' ? 'first-half' : 'end', year: y.year });
  }
  // A bare year, "2020年对红苗小区实施…": the work of that year, by its end.
  for (const re = /((?:19|20)\d{2})年(?![0-9一二三四五六七八九十]{1,2}月|底|末|内|[上下]半年|起)/g; (m = re.exec(text)); ) {
    const year = Number(m[1]);
    add(m, { date: iso(year, 12, 31), rule: 'by', yearGuessed: false, key: 'year', year });
  }

  // The longest reading wins where readings overlap.
  found.sort((a, b) => a.index - b.index || b.words.length - a.words.length);
  const kept: DateReading[] = [];
  for (const reading of found) {
    const last = kept[kept.length - 1];
    if (last && reading.index < last.index + last.words.length) continue;
    kept.push(reading);
  }
  // Recurring duties are not one date: drop readings inside "每月10日、20日前".
  const recurring = readRecurring(text);
  return kept.filter((r) => !recurring.some((c) => r.index >= c.index && r.index < c.index + c.words.length));
}

/** The days a phase runs, from its first to its last, as its heading gives them. */
export interface SpanReading {
  from: string;
  until: string;
  /** The words read, e.g. "5月下旬-8月". */
  words: string;
  yearGuessed: boolean;
}

/**
 * The span a phase's heading gives in brackets: "(2010年9月10日至9月17日)", "(4月-5月中旬)",
 * "(5月下旬-8月)", "(9月)". A month's 上旬 starts on the 1st, 中旬 on the 11th, 下旬 on the 21st;
 * a span ends with the last day of its last part (上旬 the 10th, 中旬 the 20th, else the month's end).
 */
export function readSpan(text: string, campaignYear: number | undefined): SpanReading | undefined {
  const days = /[（(]((?:19|20)\d{2})?年?(\d{1,2})月(\d{1,2})日(?:至|—|－|-|–|到)(?:((?:19|20)\d{2})年)?(?:(\d{1,2})月)?(\d{1,2})日[)）]/.exec(text);
  if (days) {
    const year = days[1] !== undefined ? Number(days[1]) : campaignYear;
    if (year === undefined) return undefined;
    const fromMonth = Number(days[2]);
    const untilYear = days[4] !== undefined ? Number(days[4]) : year;
    return {
      from: iso(year, fromMonth, Number(days[3])),
      until: iso(untilYear, Number(days[5] ?? fromMonth), Number(days[6])),
      words: days[0].slice(1, -1),
      yearGuessed: days[1] === undefined,
    };
  }
  const months = /[（(](?:(\d{1,2})月([上中下]旬)?(?:-|—|－|–|至|到))?(\d{1,2})月([上中下]旬|底)?[)）]/.exec(text);
  if (!months || campaignYear === undefined) return undefined;
  const firstDay = (part: string | undefined) => (part === '中旬' ? 11 : part === '下旬' ? 21 : 1);
  const fromMonth = Number(months[1] ?? months[3]);
  const untilMonth = Number(months[3]);
  const untilPart = months[4];
  const from = iso(campaignYear, fromMonth, firstDay(months[1] === undefined ? (untilPart === '底' ? undefined : untilPart) : months[2]));
  const until = untilPart === '上旬' ? iso(campaignYear, untilMonth, 10) : untilPart === '中旬' ? iso(campaignYear, untilMonth, 20) : endOfMonth(campaignYear, untilMonth);
  if (from === '' || until === '' || until < from) return undefined;
  return { from, until, words: months[0].slice(1, -1), yearGuessed: true };
}

/** 每月23日前, 每月10日、20日前, 每季度, 每季度最后一个月的30日前, 每周, 每年. */
export function readRecurring(text: string): RecurringReading[] {
  const found: RecurringReading[] = [];
  let m: RegExpExecArray | null;
  for (const re = /每(?:个)?月(\d{1,2})日(?:[、和及](\d{1,2})日)?(?:前|之前)?/g; (m = re.exec(text)); ) {
    const days = [Number(m[1])];
    if (m[2] !== undefined) days.push(Number(m[2]));
    found.push({ every: 'month', days, rule: 'by', words: m[0], index: m.index });
  }
  for (const re = /每季度(?:最后一个月的?(\d{1,2})日前|末)?/g; (m = re.exec(text)); ) {
    found.push({ every: 'quarter', days: m[1] !== undefined ? [Number(m[1])] : [], rule: 'by', words: m[0], index: m.index });
  }
  for (const re = /每(?:个)?月(?!\d)/g; (m = re.exec(text)); ) {
    if (found.some((f) => f.index === m!.index)) continue;
    found.push({ every: 'month', days: [], rule: 'by', words: m[0], index: m.index });
  }
  for (const re = /每周/g; (m = re.exec(text)); ) found.push({ every: 'week', days: [], rule: 'by', words: m[0], index: m.index });
  return found.sort((a, b) => a.index - b.index);
}

export interface CampaignReading {
  start: string;
  end: string;
  words: string;
  line: number;
}

const PERIODS: Record<string, [number, number]> = { 十三五: [2016, 2020], 十四五: [2021, 2025], 十五五: [2026, 2030] };

/**
 * The campaign's span from the words that state it: 从2020年起开展为期两年 (2020-01-01 …
 * 2021-12-31), 从2009年5月-10月, "十三五" (2016 … 2020), or the year in a title such as
 * 2023年重点工作. Always a guess to review: plans name years, seldom days.
 */
export function readCampaign(lines: readonly string[]): CampaignReading | undefined {
  const patterns: ((text: string) => Omit<CampaignReading, 'line'> | undefined)[] = [
    (text) => {
      const m = /从((?:19|20)\d{2})年起(?:开展|实施)?为期([两二三四五六七八九十\d]+)年/.exec(text);
      if (!m) return undefined;
      const start = Number(m[1]);
      const years = chineseNumber(m[2] ?? '') ?? 1;
      return { start: iso(start, 1, 1), end: iso(start + years - 1, 12, 31), words: m[0] };
    },
    (text) => {
      const m = /从?((?:19|20)\d{2})年(\d{1,2})月?(?:-|—|至|到)(\d{1,2})月/.exec(text);
      if (!m) return undefined;
      const year = Number(m[1]);
      return { start: iso(year, Number(m[2]), 1), end: endOfMonth(year, Number(m[3])), words: m[0] };
    },
    (text) => {
      const m = /“?(十[三四五]五)”?/.exec(text);
      const span = m ? PERIODS[m[1] ?? ''] : undefined;
      return m && span ? { start: iso(span[0], 1, 1), end: iso(span[1], 12, 31), words: m[0] } : undefined;
    },
    (text) => {
      const m = /((?:19|20)\d{2})年(?:度)?(?:重点工作|工作要点|政府工作|.{0,12}(?:方案|计划|清单))/.exec(text);
      if (!m) return undefined;
      const year = Number(m[1]);
      return { start: iso(year, 1, 1), end: iso(year, 12, 31), words: m[0] };
    },
  ];
  for (const pattern of patterns.slice(0, 3)) {
    for (const [index, text] of lines.entries()) {
      const reading = pattern(text);
      if (reading) return { ...reading, line: index + 1 };
    }
  }
  // The phases of a campaign, "(2010年9月10日至9月17日)" … "(2010年9月18日至12月8日)": from the first day to the last.
  const spans: { start: string; end: string; words: string; line: number }[] = [];
  for (const [index, text] of lines.entries()) {
    for (const m of text.matchAll(/((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日(?:至|—|－|-|到)(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日/g)) {
      const year = Number(m[1]);
      spans.push({ start: iso(year, Number(m[2]), Number(m[3])), end: iso(Number(m[4] ?? year), Number(m[5]), Number(m[6])), words: m[0], line: index + 1 });
    }
  }
  if (spans.length > 0) {
    const first = spans.reduce((a, b) => (b.start < a.start ? b : a));
    const last = spans.reduce((a, b) => (b.end > a.end ? b : a));
    return { start: first.start, end: last.end, words: spans.length > 1 ? `${first.words} … ${last.words}` : first.words, line: first.line };
  }
  for (const pattern of patterns.slice(3)) {
    for (const [index, text] of lines.entries()) {
      const reading = pattern(text);
      if (reading) return { ...reading, line: index + 1 };
    }
  }
  return undefined;
}

/**
 * The clause of `text` around `index`: between the nearest clause marks (，,。；;) outside
 * quotation marks, so "按“先关键小区、重点部位,再全覆盖”的原则" stays one clause.
 */
export function clauseAround(text: string, index: number): string {
  const breaks: number[] = [];
  let depth = 0;
  for (const [i, ch] of [...text].entries()) {
    if (ch === '“' || ch === '（' || ch === '(' || ch === '《') depth += 1;
    else if ((ch === '”' || ch === '）' || ch === ')' || ch === '》') && depth > 0) depth -= 1;
    else if (depth === 0 && '，,。；;：:'.includes(ch)) breaks.push(i);
  }
  const chars = [...text];
  // `index` counts UTF-16 units; the texts read here are BMP Chinese, one unit per character.
  const before = breaks.filter((b) => b < index).pop();
  const after = breaks.find((b) => b >= index);
  return chars.slice(before === undefined ? 0 : before + 1, after ?? chars.length).join('').trim();
}
