import { existsSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DEFAULT_PATHS, DubanError, ENV, ErrorCode, type Rung } from '@duban/common';
import { formatProblem, type Plan, type Problem } from '@duban/plan';
import {
  compareOutcomes,
  readScenarioFile,
  renderReport,
  RUN_FILES,
  simulate,
  type LoadedScenario,
  type OutcomeComparison,
  type ReportWords,
  type SimulationOutcome,
  type SimulationProgress,
  type SimulationRun,
} from '@duban/simulate';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { lightLabel, rungLabel, statusLabel, t, type Lang } from '../i18n';
import { paintLight, table, type Output } from '../output';
import { runAuditExport } from './audit-export';
import { runLedger } from './ledger';
import { readPlanOrFail } from './plan-validate';
import { examplesHelp } from './register';
import { unitNames, wholeNumberIn } from './task-common';

/** The seed plan and its default scenario: what `duban simulate` plays without arguments. */
export const DEFAULT_SIMULATION = { plan: 'plans/xihu-2020.yaml', scenario: 'scenarios/default.yaml' } as const;

export type ProgressDisplay = 'bar' | 'lines' | 'none';

export interface SimulateCommandOptions extends GlobalOptions {
  /** The plan file; default the seed plan. */
  file?: string;
  /** The scenario file; default `scenarios/default.yaml` when it is written for the plan, else every unit on time. */
  scenario?: string;
  /** Two scenario files to play one after the other and compare. */
  compare?: string[];
  seed?: number;
  campaignYear?: number;
  /** `yyyy-MM-dd`, in the simulated years. */
  until?: string;
  json?: boolean;
  /** The run's directory; default `.duban/simulate/<plan>-<scenario>-seed<N>`. */
  out?: string;
  /** Default: a bar on a terminal, plain lines otherwise. */
  progress?: ProgressDisplay;
}

export interface SimulateCommandResult {
  runs: SimulationRun[];
  comparison?: OutcomeComparison;
}

const silent: Output = { line: () => undefined, error: () => undefined, json: () => undefined, color: false };

function scenarioProblems(ctx: CommandContext, file: string, problems: readonly Problem[], json: boolean): never {
  if (!json) for (const problem of problems) ctx.output.error(formatProblem(problem));
  const n = problems.length;
  throw new DubanError(ErrorCode.SCENARIO_INVALID, `${file} has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} and run \`duban simulate\` again.`, {
    details: { file, problems },
  });
}

/** Reads a scenario for `plan`; problems are printed (located), then thrown as `SCENARIO_INVALID` (exit 1). */
async function readScenario(ctx: CommandContext, plan: Plan, file: string, json: boolean): Promise<LoadedScenario> {
  const result = await readScenarioFile(resolve(ctx.cwd, file), plan, { displayName: file, cwd: ctx.cwd });
  if (!result.ok) scenarioProblems(ctx, file, result.problems, json);
  return result.loaded;
}

/** Every unit on time, with the built-in defaults: the scenario of a plan that has none. */
function builtInScenario(plan: Plan): LoadedScenario {
  return {
    scenario: { id: 'on-time', title: { zh: t('zh', 'sim.builtInTitle'), en: t('en', 'sim.builtInTitle') }, plan: plan.id },
    file: '(built-in)',
    amendments: new Map(),
  };
}

/** `scenarios/default.yaml` when it plays this plan; the built-in scenario when it is absent or written for another plan. */
async function defaultScenario(ctx: CommandContext, plan: Plan, json: boolean): Promise<LoadedScenario> {
  const file = DEFAULT_SIMULATION.scenario;
  if (!existsSync(resolve(ctx.cwd, file))) return builtInScenario(plan);
  const result = await readScenarioFile(resolve(ctx.cwd, file), plan, { displayName: file, cwd: ctx.cwd });
  if (result.ok) return result.loaded;
  // Written for another plan: its units and tasks do not fit this one either, so PLAN_MISMATCH comes with other problems.
  if (result.problems.some((p) => p.code === 'PLAN_MISMATCH')) return builtInScenario(plan);
  return scenarioProblems(ctx, file, result.problems, json);
}

function parseUntil(lang: Lang): (value: string) => string {
  return (value) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(t(lang, 'sim.untilInvalid', { value }));
    return value;
  };
}

/** Progress over virtual time: a bar on a terminal, else one line per simulated month. */
function progressReporter(ctx: CommandContext, lang: Lang, display: ProgressDisplay): { onProgress: (p: SimulationProgress) => void; stop: () => void } {
  if (display === 'none') return { onProgress: () => undefined, stop: () => undefined };
  if (display === 'bar') {
    const bar = new SingleBar(
      { format: `{bar} ${t(lang, 'sim.progress', { date: '{date}', approved: '{approved}', tasks: '{tasks}', escalated: '{escalated}' })}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress: (p) => {
        const payload = { date: p.date, approved: p.approved, tasks: p.tasks, escalated: p.escalated };
        if (!started) bar.start(Math.max(1, p.days), p.day, payload);
        else bar.update(p.day, payload);
        started = true;
      },
      stop: () => bar.stop(),
    };
  }
  let month = '';
  return {
    onProgress: (p) => {
      if (p.date.slice(0, 7) === month) return;
      month = p.date.slice(0, 7);
      ctx.output.error(t(lang, 'sim.progress', { date: p.date, approved: p.approved, tasks: p.tasks, escalated: p.escalated }));
    },
    stop: () => undefined,
  };
}

function runDirectory(ctx: CommandContext, plan: Plan, scenario: LoadedScenario, seed: number, until: string | undefined): string {
  return resolve(ctx.cwd, DEFAULT_PATHS.simulateRuns, `${plan.id}-${scenario.scenario.id}-seed${seed}${until ? `-until-${until}` : ''}`);
}

function shown(ctx: CommandContext, path: string): string {
  const rel = relative(ctx.cwd, path);
  return rel.startsWith('..') ? path : rel;
}

/** The report's words in `lang`, from the CLI's catalogue. */
function reportWords(lang: Lang, o: SimulationOutcome, names: (codes: readonly string[]) => string): ReportWords {
  return {
    lang: lang === 'zh' ? 'zh-CN' : 'en',
    title: t(lang, 'sim.report.title', { plan: o.plan.id }),
    subtitle: t(lang, 'sim.report.subtitle', {
      scenario: o.scenario.id,
      title: o.scenario.title[lang],
      seed: o.scenario.seed,
      from: o.launchedOn,
      to: o.stoppedOn,
      ended: t(lang, `sim.ended.${o.endedBy}`, { date: o.stoppedOn }),
    }),
    boardOverTime: t(lang, 'sim.report.boardOverTime'),
    unitScores: t(lang, 'sim.report.unitScores'),
    board: t(lang, 'sim.report.board'),
    milestones: t(lang, 'label.milestones'),
    escalations: t(lang, 'label.rungs'),
    units: t(lang, 'label.unit'),
    bulletins: t(lang, 'label.bulletin'),
    none: t(lang, 'label.none'),
    approved: t(lang, 'label.approvedCount'),
    escalated: t(lang, 'label.escalated'),
    number: t(lang, 'label.number'),
    taskTitle: t(lang, 'label.title'),
    unit: t(lang, 'label.primaryLead'),
    status: t(lang, 'label.status'),
    light: t(lang, 'label.light'),
    percent: t(lang, 'label.percent'),
    deadline: t(lang, 'label.deadline'),
    approvedOn: t(lang, 'label.approvedOn'),
    score: t(lang, 'label.score'),
    commended: t(lang, 'label.commended'),
    rank: t(lang, 'label.rank'),
    tasks: t(lang, 'label.total'),
    averageScore: t(lang, 'label.averageScore'),
    rungs: t(lang, 'label.rungs'),
    late: t(lang, 'label.late'),
    date: t(lang, 'label.date'),
    rung: t(lang, 'label.topRung'),
    due: t(lang, 'label.due'),
    doneBefore: t(lang, 'label.doneBefore'),
    bulletin: t(lang, 'label.bulletin'),
    opened: t(lang, 'label.opened'),
    closed: t(lang, 'label.closed'),
    bottom: t(lang, 'label.bottom'),
    yes: t(lang, 'label.yes'),
    statusLabel: (s) => statusLabel(lang, s),
    lightLabel: (l) => lightLabel(lang, l),
    rungLabel: (r) => rungLabel(lang, r),
    unitName: (code) => names([code]),
  };
}

const MAX_ESCALATION_LINES = 40;
const MAX_BULLETIN_LINES = 12;

/**
 * The end-of-run summary for people, without a wall-clock figure: the same seed prints
 * the same lines. Dates are the plan's zone at day resolution.
 */
export function simulationLines(o: SimulationOutcome, lang: Lang, names: (codes: readonly string[]) => string, output: Output = silent): string[] {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const yes = (v: boolean | undefined) => (v ? t(lang, 'label.yes') : '');
  push(t(lang, 'sim.heading', { plan: o.plan.id, scenario: o.scenario.id, title: o.scenario.title[lang], seed: o.scenario.seed, from: o.launchedOn, to: o.stoppedOn, days: o.days }));
  push(t(lang, `sim.ended.${o.endedBy}`, { date: o.stoppedOn }), '');
  push(t(lang, 'sim.board', { date: o.stoppedOn }));
  push(
    table(
      [t(lang, 'label.light'), t(lang, 'label.number'), t(lang, 'label.title'), t(lang, 'label.primaryLead'), t(lang, 'label.status'), t(lang, 'label.percent'), t(lang, 'label.topRung'), t(lang, 'label.deadline'), t(lang, 'label.approvedOn'), t(lang, 'label.score'), t(lang, 'label.commended')],
      o.tasks.map((task) => [
        paintLight(output, task.light, lightLabel(lang, task.light)),
        String(task.number),
        task.title,
        names([task.primaryLead]),
        statusLabel(lang, task.status),
        `${task.percent}%`,
        task.topRung ? rungLabel(lang, task.topRung) : '',
        task.deadline,
        task.approvedOn ?? '',
        task.score === undefined ? '' : String(task.score),
        yes(task.commended),
      ]),
    ),
  );
  push(t(lang, 'sim.totals', { ...o.totals }), '', t(lang, 'sim.milestones'));
  for (const m of o.milestones) {
    push(
      // Reached, or nothing left for it to check: every task it concerns approved before.
      m.reached || (m.concerns > 0 && m.doneBefore === m.concerns)
        ? t(lang, 'sim.milestone', { id: m.id, due: m.due, tasks: m.concerns, done: m.doneBefore, checked: m.tasks.length, green: m.green, yellow: m.yellow, red: m.red })
        : t(lang, 'sim.milestonePending', { id: m.id, due: m.due, tasks: m.concerns }),
    );
  }
  push('');
  if (o.escalations.length === 0) push(t(lang, 'sim.escalationsNone'));
  else {
    push(t(lang, 'sim.escalations', { count: o.escalations.length }));
    push(
      table(
        [t(lang, 'label.date'), t(lang, 'label.number'), t(lang, 'label.primaryLead'), t(lang, 'label.escalation')],
        o.escalations.slice(0, MAX_ESCALATION_LINES).map((r) => [r.on, String(r.task), names([r.unit]), rungLabel(lang, r.rung as Rung)]),
      ),
    );
    if (o.escalations.length > MAX_ESCALATION_LINES) push(t(lang, 'sim.more', { count: o.escalations.length - MAX_ESCALATION_LINES }));
  }
  push('', t(lang, 'sim.units'));
  push(
    table(
      [t(lang, 'label.rank'), t(lang, 'label.unit'), t(lang, 'label.total'), t(lang, 'label.approvedCount'), t(lang, 'label.averageScore'), t(lang, 'label.late'), t(lang, 'label.rungs'), t(lang, 'label.commended')],
      o.units.map((u) => [String(u.rank), u.name, String(u.tasks), String(u.approved), u.averageScore === null ? '—' : String(u.averageScore), String(u.late), String(u.rungs), String(u.commendations)]),
    ),
  );
  const news = o.bulletins.headlines.filter((b) => b.opened.length > 0 || b.closed.length > 0);
  push('', t(lang, 'sim.bulletins', { count: o.bulletins.count }));
  if (news.length === 0) push(t(lang, 'sim.bulletinsNone'));
  for (const b of news.slice(0, MAX_BULLETIN_LINES)) {
    push(
      t(lang, 'sim.bulletin', { number: b.number, date: b.on, green: b.totals.green, yellow: b.totals.yellow, red: b.totals.red, approved: b.totals.approved }) +
        (b.opened.length > 0 ? t(lang, 'sim.bulletinOpened', { list: b.opened.join(', ') }) : '') +
        (b.closed.length > 0 ? t(lang, 'sim.bulletinClosed', { list: b.closed.join(', ') }) : '') +
        (b.bottom !== undefined ? t(lang, 'sim.bulletinBottom', { unit: names([b.bottom]) }) : ''),
    );
  }
  if (news.length > MAX_BULLETIN_LINES) push(t(lang, 'sim.more', { count: news.length - MAX_BULLETIN_LINES }));
  if (o.events.length > 0) {
    push('', t(lang, 'sim.events'));
    for (const e of o.events) {
      push(t(lang, 'sim.event', { date: e.on, kind: t(lang, `sim.event.${e.kind}`), subject: e.subject, result: e.applied ? t(lang, 'sim.eventApplied') : t(lang, 'sim.eventRefused', { code: e.code ?? '—' }) }));
    }
  }
  if (o.people.refusals.length > 0) push('', t(lang, 'sim.refusals', { count: o.people.refusals.length }));
  push('', t(lang, 'sim.files'));
  const files = o.files;
  push(t(lang, 'sim.file.auditDb', { file: files.auditDb }));
  if (files.auditCsv) push(t(lang, 'sim.file.auditCsv', { file: files.auditCsv }));
  if (files.ledger) push(t(lang, 'sim.file.ledger', { file: files.ledger }));
  if (files.report) push(t(lang, 'sim.file.report', { file: files.report }));
  push(t(lang, 'sim.file.notifications', { file: files.notifications }));
  return lines;
}

/** What differs between two runs, for people. */
export function comparisonLines(c: OutcomeComparison, lang: Lang, names: (codes: readonly string[]) => string): string[] {
  const lines = [t(lang, 'sim.compareHeading', { a: c.a.scenario, seedA: c.a.seed, b: c.b.scenario, seedB: c.b.seed })];
  if (c.same) return [...lines, t(lang, 'sim.compareSame')];
  const none = t(lang, 'label.none');
  const show = (v: string | number | boolean | null) => (v === null ? none : typeof v === 'boolean' ? t(lang, v ? 'label.yes' : 'label.no') : String(v));
  const rung = (r: Rung | null) => (r === null ? none : rungLabel(lang, r));
  if (c.lateOnlyInA.length > 0) lines.push(t(lang, 'sim.compareLate', { which: 'A', list: c.lateOnlyInA.join(', ') }));
  if (c.lateOnlyInB.length > 0) lines.push(t(lang, 'sim.compareLate', { which: 'B', list: c.lateOnlyInB.join(', ') }));
  if (c.tasks.length > 0) {
    lines.push(t(lang, 'sim.compareTasks'));
    for (const d of c.tasks) {
      const parts = [
        d.late && t(lang, 'sim.diff.late', { a: show(d.late.a), b: show(d.late.b) }),
        d.topRung && t(lang, 'sim.diff.topRung', { a: rung(d.topRung.a), b: rung(d.topRung.b) }),
        d.rungs && t(lang, 'sim.diff.rungs', { a: d.rungs.a, b: d.rungs.b }),
        d.score && t(lang, 'sim.diff.score', { a: show(d.score.a), b: show(d.score.b) }),
        d.approvedOn && t(lang, 'sim.diff.approvedOn', { a: show(d.approvedOn.a), b: show(d.approvedOn.b) }),
      ].filter((p): p is string => typeof p === 'string');
      lines.push(t(lang, 'sim.compareTask', { task: d.task, unit: names([d.unit]), parts: parts.join(lang === 'zh' ? '；' : '; ') }));
    }
  }
  if (c.units.length > 0) {
    lines.push(t(lang, 'sim.compareUnits'));
    for (const d of c.units) {
      const parts = [
        d.averageScore && t(lang, 'sim.diff.averageScore', { a: show(d.averageScore.a), b: show(d.averageScore.b) }),
        d.late && t(lang, 'sim.diff.unitLate', { a: d.late.a, b: d.late.b }),
        d.rungs && t(lang, 'sim.diff.rungs', { a: d.rungs.a, b: d.rungs.b }),
      ].filter((p): p is string => typeof p === 'string');
      lines.push(t(lang, 'sim.compareUnit', { unit: d.name, parts: parts.join(lang === 'zh' ? '；' : '; ') }));
    }
  }
  if (c.totals.length > 0) lines.push(t(lang, 'sim.compareTotals', { parts: c.totals.map((d) => t(lang, 'sim.diff.total', { key: d.key, a: d.a, b: d.b })).join(', ') }));
  return lines;
}

/** Plays one scenario and writes the ledger, the audit CSV and the report beside the audit trail. */
async function playOne(ctx: CommandContext, options: SimulateCommandOptions, plan: Plan, planFile: string, scenario: LoadedScenario, outDir: string, names: (codes: readonly string[]) => string): Promise<SimulationRun> {
  const { lang } = options;
  const seed = options.seed ?? scenario.scenario.seed ?? 1;
  const display = options.progress ?? (process.stderr.isTTY === true && ctx.output.color ? 'bar' : 'lines');
  if (display !== 'none') ctx.output.error(t(lang, 'sim.starting', { plan: plan.id, scenario: scenario.scenario.id, seed }));
  const progress = progressReporter(ctx, lang, display);
  const ledger = join(outDir, RUN_FILES.ledger);
  const bundle = ctx.env[ENV.workflowBundle];
  let run: SimulationRun;
  try {
    run = await simulate({
      plan,
      planFile,
      scenario,
      seed,
      ...(options.campaignYear !== undefined ? { campaignYear: options.campaignYear } : {}),
      ...(options.until !== undefined ? { until: options.until } : {}),
      outDir,
      cwd: ctx.cwd,
      env: ctx.env,
      lang,
      ...(bundle ? { workflowBundle: { codePath: resolve(ctx.cwd, bundle) } } : {}),
      onProgress: progress.onProgress,
      // The ledger is the real command's, read from the workflows while the server still runs.
      onServer: async ({ address, namespace }) => {
        const onServer: CommandContext = { cwd: ctx.cwd, output: silent, env: { HOME: ctx.env.HOME, [ENV.address]: address, [ENV.namespace]: namespace } };
        await runLedger(onServer, { lang, profile: undefined, file: planFile, format: 'csv', out: ledger });
      },
    });
  } finally {
    progress.stop();
  }
  const auditCsv = join(outDir, RUN_FILES.auditCsv);
  await runAuditExport({ ...ctx, output: silent }, { lang, profile: undefined, auditDb: join(outDir, RUN_FILES.auditDb), planId: plan.id, format: 'csv', out: auditCsv });
  const report = join(outDir, RUN_FILES.report);
  const outcome: SimulationOutcome = { ...run.outcome, files: { ...run.outcome.files, ledger: shown(ctx, ledger), auditCsv: shown(ctx, auditCsv), report: shown(ctx, report) } };
  writeFileSync(report, renderReport(outcome, reportWords(lang, outcome, names)), 'utf8');
  const seconds = (run.wallMs / 1000).toFixed(1);
  const ratio = Math.round(run.virtualMs / Math.max(1, run.wallMs)).toLocaleString('en');
  ctx.output.error(t(lang, 'sim.timing', { seconds, days: outcome.days, ratio }));
  return { ...run, outcome };
}

/**
 * `duban simulate [PLAN]`: the campaign played out on the time-skipping server with
 * simulated people; prints the end-of-run summary (or, with `--compare`, what differs
 * between two scenarios) and writes the audit trail, ledger and HTML report under `--out`.
 */
export async function runSimulate(ctx: CommandContext, options: SimulateCommandOptions): Promise<SimulateCommandResult> {
  const { lang } = options;
  const json = options.json === true;
  const planFile = options.file ?? DEFAULT_SIMULATION.plan;
  if (options.compare !== undefined && options.compare.length !== 2) throw new UsageError(t(lang, 'sim.compareArgs'));
  const plan = await readPlanOrFail(ctx, planFile, json);
  const names = unitNames(plan);
  const scenarios =
    options.compare !== undefined
      ? await Promise.all(options.compare.map((file) => readScenario(ctx, plan, file, json)))
      : [options.scenario !== undefined ? await readScenario(ctx, plan, options.scenario, json) : await defaultScenario(ctx, plan, json)];
  const runs: SimulationRun[] = [];
  const used = new Set<string>();
  for (const [i, scenario] of scenarios.entries()) {
    const seed = options.seed ?? scenario.scenario.seed ?? 1;
    let outDir = options.out !== undefined ? resolve(ctx.cwd, options.out) : runDirectory(ctx, plan, scenario, seed, options.until);
    if (options.compare !== undefined && (options.out !== undefined || used.has(outDir))) outDir = join(outDir, i === 0 ? 'a' : 'b');
    used.add(outDir);
    runs.push(await playOne(ctx, options, plan, planFile, scenario, outDir, names));
  }
  const [a, b] = runs;
  if (options.compare !== undefined && a && b) {
    const comparison = compareOutcomes(a.outcome, b.outcome);
    if (json) ctx.output.json({ a: a.outcome, b: b.outcome, comparison });
    else {
      for (const line of comparisonLines(comparison, lang, names)) ctx.output.line(line);
      ctx.output.line('');
      for (const run of runs) ctx.output.line(t(lang, 'sim.file.report', { file: run.outcome.files.report ?? '' }).trim());
    }
    return { runs, comparison };
  }
  if (a) {
    if (json) ctx.output.json(a.outcome);
    else for (const line of simulationLines(a.outcome, lang, names, ctx.output)) ctx.output.line(line);
  }
  return { runs };
}

export function registerSimulate(program: Command, ctx: CommandContext): void {
  const lang = (command: Command) => globalOptions(command, ctx).lang;
  program
    .command('simulate')
    .description('Play a whole campaign out in seconds on the time-skipping server: simulated people, real workflows, audit trail and notifier')
    .argument('[plan]', `the plan file (default ${DEFAULT_SIMULATION.plan})`)
    .option('--scenario <file>', `how the people behave (default ${DEFAULT_SIMULATION.scenario} when written for the plan, else every unit on time)`)
    .option('--compare <files...>', 'play two scenario files and print what differs (tasks late, rungs reached, scores)')
    .option('--seed <n>', "the random draws' seed (default the scenario's)", wholeNumberIn('--seed', 0, 2_147_483_647))
    .option('--campaign-year <yyyy>', 're-date the plan so its campaign starts in this year (default the next start ahead)', wholeNumberIn('--campaign-year', 2000, 2100))
    .option('--until <date>', 'stop at the end of this date (YYYY-MM-DD, simulated years) and show what has fired by then')
    .option('--out <dir>', `where the audit trail, ledger and report go (default ${DEFAULT_PATHS.simulateRuns}/<plan>-<scenario>-seed<N>)`)
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      examplesHelp([
        'pnpm duban simulate',
        'pnpm duban --lang zh simulate --until 2027-06-30',
        'pnpm duban simulate --seed 7 --json > outcome.json',
        'pnpm duban simulate --compare scenarios/default.yaml scenarios/chengjian-late-task4.yaml',
      ]),
    )
    .action(async (file: string | undefined, o: { scenario?: string; compare?: string[]; seed?: number; campaignYear?: number; until?: string; out?: string; json?: boolean }, command: Command) => {
      const until = o.until === undefined ? undefined : parseUntil(lang(command))(o.until);
      await runSimulate(ctx, {
        ...globalOptions(command, ctx),
        ...(file !== undefined ? { file } : {}),
        ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
        ...(o.compare !== undefined ? { compare: o.compare } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.campaignYear !== undefined ? { campaignYear: o.campaignYear } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(o.out !== undefined ? { out: o.out } : {}),
        json: o.json,
      });
    });
}
