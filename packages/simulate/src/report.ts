/**
 * The run's report as one self-contained HTML page: inline styles and inline SVG charts
 * (the board over time, the units' scores), no script, no font, no image, no link to any
 * other resource. The words come from the caller's catalogue, so the page reads in the
 * language of the command that wrote it.
 */
import type { Rung, TaskStatus, TrafficLight } from '@duban/common';
import type { OutcomeSample, OutcomeUnit, SimulationOutcome } from './outcome';

/** The labels the report needs; the CLI fills them from its catalogue. */
export interface ReportWords {
  lang: string;
  title: string;
  /** One line under the title: plan, scenario, seed, dates. */
  subtitle: string;
  boardOverTime: string;
  unitScores: string;
  board: string;
  milestones: string;
  escalations: string;
  units: string;
  bulletins: string;
  none: string;
  approved: string;
  escalated: string;
  number: string;
  taskTitle: string;
  unit: string;
  status: string;
  light: string;
  percent: string;
  deadline: string;
  approvedOn: string;
  score: string;
  commended: string;
  rank: string;
  tasks: string;
  averageScore: string;
  rungs: string;
  late: string;
  date: string;
  rung: string;
  due: string;
  /** Milestones: tasks approved before it. */
  doneBefore: string;
  bulletin: string;
  opened: string;
  closed: string;
  bottom: string;
  yes: string;
  statusLabel(status: TaskStatus): string;
  lightLabel(light: TrafficLight): string;
  rungLabel(rung: Rung): string;
  unitName(code: string): string;
}

const COLOURS = { approved: '#4a6fa5', green: '#3b9b4a', yellow: '#e0b000', red: '#c8372d', escalated: '#6b2d8f', axis: '#888', grid: '#e4e4e4' };

function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function table(headers: string[], rows: Array<Array<string | number>>, empty: string): string {
  if (rows.length === 0) return `<p class="none">${esc(empty)}</p>`;
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${esc(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Stacked areas of the tasks by state (approved, green, yellow, red) per week, and the escalated tasks as a line. */
export function boardChart(samples: readonly OutcomeSample[], words: Pick<ReportWords, 'approved' | 'escalated' | 'lightLabel'>): string {
  const width = 880;
  const height = 280;
  const left = 40;
  const right = 12;
  const top = 16;
  const bottom = 48;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const total = Math.max(1, ...samples.map((s) => s.approved + s.green + s.yellow + s.red));
  const x = (i: number) => left + (samples.length <= 1 ? 0 : (plotW * i) / (samples.length - 1));
  const y = (v: number) => top + plotH - (plotH * v) / total;
  const layers: Array<{ key: 'approved' | 'green' | 'yellow' | 'red'; label: string }> = [
    { key: 'approved', label: words.approved },
    { key: 'green', label: words.lightLabel('green') },
    { key: 'yellow', label: words.lightLabel('yellow') },
    { key: 'red', label: words.lightLabel('red') },
  ];
  const parts: string[] = [];
  // Grid lines and the task-count axis.
  for (let v = 0; v <= total; v += Math.max(1, Math.ceil(total / 5))) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${COLOURS.grid}"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="${COLOURS.axis}">${v}</text>`);
  }
  if (samples.length > 0) {
    const base = samples.map(() => 0);
    for (const layer of layers) {
      const upper = samples.map((s, i) => (base[i] ?? 0) + s[layer.key]);
      const points = [...upper.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`), ...[...base].reverse().map((v, j) => `${x(samples.length - 1 - j).toFixed(1)},${y(v).toFixed(1)}`)];
      parts.push(`<polygon points="${points.join(' ')}" fill="${COLOURS[layer.key]}" fill-opacity="0.85"><title>${esc(layer.label)}</title></polygon>`);
      upper.forEach((v, i) => (base[i] = v));
    }
    const line = samples.map((s, i) => `${x(i).toFixed(1)},${y(s.escalated).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${line}" fill="none" stroke="${COLOURS.escalated}" stroke-width="2"><title>${esc(words.escalated)}</title></polyline>`);
    // A date under the first sample of every third month.
    let lastMonth = '';
    samples.forEach((s, i) => {
      const month = s.on.slice(0, 7);
      if (month === lastMonth) return;
      const monthNumber = Number(s.on.slice(5, 7));
      lastMonth = month;
      if ((monthNumber - 1) % 3 !== 0 && i !== 0) return;
      parts.push(`<text x="${x(i).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="${COLOURS.axis}">${esc(month)}</text>`);
    });
  }
  const legend = [...layers.map((l) => ({ colour: COLOURS[l.key], label: l.label })), { colour: COLOURS.escalated, label: words.escalated }]
    .map((item, i) => `<rect x="${left + i * 120}" y="${height - 18}" width="12" height="12" fill="${item.colour}"/><text x="${left + i * 120 + 16}" y="${height - 8}" font-size="12">${esc(item.label)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${parts.join('')}${legend}</svg>`;
}

/** A bar per unit: its average score (units without an approved task show none). */
export function scoreChart(units: readonly OutcomeUnit[], words: Pick<ReportWords, 'none'>): string {
  const rowH = 26;
  const left = 150;
  const barW = 600;
  const height = units.length * rowH + 10;
  const bars = units
    .map((u, i) => {
      const yy = 5 + i * rowH;
      const score = u.averageScore;
      const w = score === null ? 0 : (barW * Math.max(0, Math.min(100, score))) / 100;
      const colour = score === null ? COLOURS.axis : score >= 95 ? COLOURS.green : score >= 85 ? COLOURS.approved : score >= 70 ? COLOURS.yellow : COLOURS.red;
      return (
        `<text x="${left - 8}" y="${yy + 17}" text-anchor="end" font-size="13">${esc(u.name)}</text>` +
        `<rect x="${left}" y="${yy + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${colour}"/>` +
        `<text x="${left + w + 6}" y="${yy + 17}" font-size="12">${esc(score === null ? words.none : score)}</text>`
      );
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${left + barW + 60} ${height}" width="${left + barW + 60}" height="${height}" role="img">${bars}</svg>`;
}

/** The whole page. */
export function renderReport(outcome: SimulationOutcome, w: ReportWords): string {
  const o = outcome;
  const yes = (v: boolean | undefined) => (v ? w.yes : '');
  const boardRows = o.tasks.map((t) => [
    t.number,
    t.title,
    w.unitName(t.primaryLead),
    w.statusLabel(t.status),
    w.lightLabel(t.light),
    `${t.percent}%`,
    t.topRung ? w.rungLabel(t.topRung) : '',
    t.deadline,
    t.approvedOn ?? '',
    t.score ?? '',
    yes(t.commended),
  ]);
  const milestoneRows = o.milestones.map((m) => [m.id, m.due, m.concerns, m.doneBefore, m.green, m.yellow, m.red]);
  const rungRows = o.escalations.map((r) => [r.on, r.task, w.unitName(r.unit), w.rungLabel(r.rung)]);
  const unitRows = o.units.map((u) => [u.rank, u.name, u.tasks, u.approved, u.averageScore ?? '', u.late, u.rungs, u.commendations]);
  const bulletinRows = o.bulletins.headlines
    .filter((b) => b.opened.length > 0 || b.closed.length > 0)
    .map((b) => [b.number, b.on, `${b.totals.green}/${b.totals.yellow}/${b.totals.red}/${b.totals.approved}`, b.opened.join(', '), b.closed.join(', '), b.bottom ? w.unitName(b.bottom) : '']);
  return `<!DOCTYPE html>
<html lang="${esc(w.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(w.title)}</title>
<style>
body { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 960px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.sub { color: #555; }
table { border-collapse: collapse; font-size: 0.9em; width: 100%; }
th, td { border-bottom: 1px solid #eee; padding: 3px 6px; text-align: left; }
th { background: #f6f6f6; }
.none { color: #777; }
</style>
</head>
<body>
<h1>${esc(w.title)}</h1>
<p class="sub">${esc(w.subtitle)}</p>
<h2>${esc(w.boardOverTime)}</h2>
${boardChart(o.timeline, w)}
<h2>${esc(w.unitScores)}</h2>
${scoreChart(o.units, w)}
<h2>${esc(w.board)}</h2>
${table([w.number, w.taskTitle, w.unit, w.status, w.light, w.percent, w.rung, w.deadline, w.approvedOn, w.score, w.commended], boardRows, w.none)}
<h2>${esc(w.milestones)}</h2>
${table([w.milestones, w.due, w.tasks, w.doneBefore, w.lightLabel('green'), w.lightLabel('yellow'), w.lightLabel('red')], milestoneRows, w.none)}
<h2>${esc(w.escalations)}</h2>
${table([w.date, w.number, w.unit, w.rung], rungRows, w.none)}
<h2>${esc(w.units)}</h2>
${table([w.rank, w.unit, w.tasks, w.approved, w.averageScore, w.late, w.rungs, w.commended], unitRows, w.none)}
<h2>${esc(w.bulletins)}</h2>
${table([w.bulletin, w.date, `${w.lightLabel('green')}/${w.lightLabel('yellow')}/${w.lightLabel('red')}/${w.approved}`, w.opened, w.closed, w.bottom], bulletinRows, w.none)}
</body>
</html>
`;
}
