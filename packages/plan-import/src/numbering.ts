/**
 * The numbering styles of Chinese official documents (党政机关公文格式 GB/T 9704: 一、 (一)
 * 1. (1), then ① in longer texts). A document uses them in its own order, so the level of a
 * style is not fixed here: the outline in `outline.ts` nests styles in the order the text
 * first uses them.
 */
export type NumberStyle = 'cn-comma' | 'cn-paren' | 'num-dot' | 'num-paren' | 'circled';

export interface Numbered {
  style: NumberStyle;
  /** The item's number as an integer (三 → 3, ⑫ → 12). */
  value: number;
  /** The number as printed, punctuation included, e.g. "（三）" or "2.". */
  printed: string;
  /** The text after the number. */
  rest: string;
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; undefined when the text is not a Chinese numeral. */
export function chineseNumber(text: string): number | undefined {
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let digit = 0;
  for (const ch of text) {
    if (ch in CN_DIGITS) digit = CN_DIGITS[ch] ?? 0;
    else if (ch === '十') {
      total += (digit === 0 ? 1 : digit) * 10;
      digit = 0;
    } else if (ch === '百') {
      total += (digit === 0 ? 1 : digit) * 100;
      digit = 0;
    } else return undefined;
  }
  return total + digit;
}

const CN = '[一二三四五六七八九十百零〇两]+';

/** The parenthesised ideographs ㈠…㈩ (U+3220–U+3229) some sites print for (一)…(十). */
const PAREN_IDEOGRAPH_FIRST = 0x3220;
/** The circled digits ①…⑳ (U+2460–U+2473). */
const CIRCLED_FIRST = 0x2460;

/**
 * Reads the number at the start of a line, if the line opens with one of the styles.
 * "1.5亿元" is not item 1: a dot followed by a digit is a decimal point.
 */
export function readNumber(line: string): Numbered | undefined {
  let m = new RegExp(`^(${CN})[、，,．.]\\s*(.*)$`, 's').exec(line);
  if (m) {
    const value = chineseNumber(m[1] ?? '');
    if (value !== undefined) return { style: 'cn-comma', value, printed: line.slice(0, line.length - (m[2] ?? '').length).trim(), rest: m[2] ?? '' };
  }
  m = new RegExp(`^[（(](${CN})[)）]\\s*(.*)$`, 's').exec(line);
  if (m) {
    const value = chineseNumber(m[1] ?? '');
    if (value !== undefined) return { style: 'cn-paren', value, printed: line.slice(0, line.length - (m[2] ?? '').length).trim(), rest: m[2] ?? '' };
  }
  const first = line.codePointAt(0) ?? 0;
  if (first >= PAREN_IDEOGRAPH_FIRST && first <= PAREN_IDEOGRAPH_FIRST + 9) {
    return { style: 'cn-paren', value: first - PAREN_IDEOGRAPH_FIRST + 1, printed: line.slice(0, 1), rest: line.slice(1).trim() };
  }
  if (first >= CIRCLED_FIRST && first <= CIRCLED_FIRST + 19) {
    return { style: 'circled', value: first - CIRCLED_FIRST + 1, printed: line.slice(0, 1), rest: line.slice(1).trim() };
  }
  m = /^(\d{1,3})(?:[、，,]|[．.](?!\d))\s*(.*)$/s.exec(line);
  if (m) return { style: 'num-dot', value: Number(m[1]), printed: line.slice(0, line.length - (m[2] ?? '').length).trim(), rest: m[2] ?? '' };
  m = /^[（(](\d{1,3})[)）]\s*(.*)$/s.exec(line);
  if (m) return { style: 'num-paren', value: Number(m[1]), printed: line.slice(0, line.length - (m[2] ?? '').length).trim(), rest: m[2] ?? '' };
  return undefined;
}
