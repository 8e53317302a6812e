/**
 * What an item's own words give its task besides its units and dates: a title and a body, the
 * outside bodies it assists (协助/配合), and its targets (指标: 15%左右, 不低于全市平均水平, 20座).
 * Each reads one item's text and knows nothing of the outline, so they stand apart from the
 * drafting that calls them.
 */
import { clauseAround } from './dates';
import { shorten, type DraftTask } from './draft';

/** Title and body of an item: "城市绿道建设。协助…" → 城市绿道建设 and 协助…. */
export function titleAndBody(text: string): { title: string; body: string; guessed: boolean } {
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
export function readSupports(text: string): { names: string[]; words: string[] } {
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

const PERCENT = /(增长|下降|提高|降低|达到|控制在|保持)?(\d+(?:\.\d+)?)%(左右|以上|以内|以下)?/g;
const RELATIVE = /((?:不低于|高于|低于|不高于|快于|与)[^,，。；;]{0,20}?(?:平均水平|同步))/g;
const COUNT = /(\d+(?:\.\d+)?)(座|个|处|条|公里|千米|户|套|家|所|辆|台|项|万元|亿元|万平方米|平方米|亩)/g;

export function readTargets(text: string): NonNullable<DraftTask['targets']> {
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
