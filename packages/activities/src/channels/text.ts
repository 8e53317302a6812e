/** Fitting text into the byte limits the robot platforms publish. */

/** Added where a body was cut, so the reader knows there was more (and looks in the workspace). */
export const DEFAULT_TRUNCATION_MARKER = '\n…（内容过长，已截断）';

export interface Truncated {
  text: string;
  truncated: boolean;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * `text` if it fits in `maxBytes` of UTF-8; otherwise its longest start that fits with
 * `marker` after it. It cuts between grapheme clusters (what a reader sees as one
 * character: a 汉字, an emoji with its modifiers), never inside a UTF-8 sequence, so the
 * platform gets valid UTF-8 and the reader no half character.
 */
export function truncateUtf8(text: string, maxBytes: number, marker: string = DEFAULT_TRUNCATION_MARKER): Truncated {
  if (utf8Length(text) <= maxBytes) return { text, truncated: false };
  const budget = maxBytes - utf8Length(marker);
  if (budget < 0) throw new RangeError(`The truncation marker (${utf8Length(marker)} bytes) does not fit in ${maxBytes} bytes.`);
  let used = 0;
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    const size = utf8Length(segment);
    if (used + size > budget) break;
    kept += segment;
    used += size;
  }
  return { text: kept + marker, truncated: true };
}
