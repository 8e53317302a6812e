/**
 * The opening part of a plan, before its tasks (标题, 总体要求): the plan's title and the
 * milestones its aims set (到2020年底,…). They are read from the preamble and the items that
 * hold no task, never from a task; sections come in only where a milestone's focus is matched
 * to their titles (`bigrams`, `titleCore`).
 */
import { readDates, type DateReading } from './dates';
import type { DraftMilestone } from './draft';
import type { SourceLine } from './read';

/** Two-character runs of a text, to compare a milestone's focus with section titles. */
export function bigrams(text: string): Set<string> {
  const chars = [...text.replace(/[^\u4e00-\u9fa5]/g, '')];
  const grams = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i += 1) grams.add(`${chars[i]}${chars[i + 1]}`);
  return grams;
}

/** The words of a section title that name its work: 开展公园绿道建设大提升行动 → 公园绿道建设. */
export function titleCore(title: string): string {
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
export function readMilestones(texts: readonly SourceLine[], campaignYear: number | undefined): DraftMilestone[] {
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

/** The plan's title: the line that names a 方案/计划/清单, else the opening sentence's subject. */
export function readTitle(lines: readonly SourceLine[], preamble: readonly SourceLine[]): string | undefined {
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
