/**
 * `pnpm bench:cli`: how long a `duban` command takes to start, against `node -e 0` (Node's
 * own start-up, the floor) on this machine. Each command runs as a person runs it: the bin
 * (which runs the one-file build, `dist/duban.bundle.js`, with its code cache) as a process
 * of its own, beside the same command from the compiled CLI module by module. The arms
 * alternate run by run, after a warm-up, so a machine shared with other work slows them
 * alike; the figures are medians.
 *
 * A benchmark, not a test: nothing fails on a slow machine (the goal it prints, a median
 * within 3× `node -e 0`, is issue 15's). Besides the bin: `duban --help` (no command
 * loaded), and `readPlanFile` of `@duban/plan` in a bare node, what `plan validate` costs
 * without any CLI. Figures go to stdout, `.duban/bench/cli-startup.json` and
 * `docs/bench-cli.md`.
 *
 *   pnpm bench:cli                                   # 15 runs of each arm
 *   pnpm bench:cli --runs 31 --pnpm                  # and `pnpm duban plan validate` (about a second more)
 *   pnpm bench:cli --against /tmp/before/bin/duban.js  # another build of the bin, side by side
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'duban.js');
const COMPILED_MAIN = join(ROOT, 'packages', 'cli', 'dist', 'main.js');
const SEED_PLAN = 'plans/xihu-2020.yaml';
/** Issue 15: `duban plan validate` as the bin within this many times `node -e 0`. */
const GOAL_RATIO = 3;

interface Arm {
  name: string;
  command: string;
  args: string[];
}

interface ArmFigures {
  name: string;
  command: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median ÷ the median of `node -e 0`. */
  ratio: number;
}

/** One run's wall-clock milliseconds; a failed run stops the benchmark (it would time something else). */
function timeRun(arm: Arm): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(arm.command, arm.args, { cwd: ROOT, env: { ...process.env, LANG: 'C', LC_ALL: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${arm.name} exited ${String(run.status)}: ${run.stderr.toString('utf8')}`);
  return ms;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      runs: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '2' },
      against: { type: 'string' },
      pnpm: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) throw new Error('--runs needs a whole number ≥ 1, --warmup one ≥ 0');

  const validate = ['plan', 'validate', SEED_PLAN];
  // The bin itself, as the `duban` on PATH runs it (its #! line starts node).
  const arms: Arm[] = [
    { name: 'node -e 0', command: process.execPath, args: ['-e', '0'] },
    { name: `duban plan validate ${SEED_PLAN}`, command: BIN, args: validate },
    // The same from the compiled CLI, module by module: what the bin ran before the bundle,
    // and what it runs when the bundle is missing or stale.
    {
      name: `duban plan validate ${SEED_PLAN}, compiled (dist/main.js, no bundle)`,
      command: process.execPath,
      args: ['-e', `require(${JSON.stringify(COMPILED_MAIN)}).main(['node', 'duban', ...process.argv.slice(1)]).then((code) => { process.exitCode = code; })`, '--', ...validate],
    },
    { name: 'duban --help', command: BIN, args: ['--help'] },
    // What validating the plan costs without the CLI: the floor under `duban plan validate`.
    {
      name: `readPlanFile(${SEED_PLAN}) alone, no CLI`,
      command: process.execPath,
      args: ['-e', `require(${JSON.stringify(require.resolve('@duban/plan'))}).readPlanFile(${JSON.stringify(join(ROOT, SEED_PLAN))}).then((r) => { if (!r.ok) process.exitCode = 1; })`],
    },
  ];
  if (values.against !== undefined) arms.push({ name: `${values.against} plan validate ${SEED_PLAN}`, command: values.against, args: validate });
  if (values.pnpm) arms.push({ name: `pnpm duban plan validate ${SEED_PLAN}`, command: 'pnpm', args: ['--silent', 'duban', ...validate] });

  for (let i = 0; i < warmup; i++) for (const arm of arms) timeRun(arm);
  const times = new Map<Arm, number[]>(arms.map((arm) => [arm, []]));
  for (let i = 0; i < runs; i++) {
    for (const arm of arms) times.get(arm)!.push(timeRun(arm));
    process.stderr.write(`\rrun ${i + 1}/${runs}`);
  }
  process.stderr.write('\n');

  const floor = median(times.get(arms[0]!)!);
  const figures: ArmFigures[] = arms.map((arm) => {
    const ms = times.get(arm)!;
    return { name: arm.name, command: [arm.command, ...arm.args].join(' '), runs, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), ratio: median(ms) / floor };
  });

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  const lines = [
    `CLI start-up, ${runs} alternating runs per arm after ${warmup} warm-up round(s); ${machine}`,
    '',
    '| command | median | min | max | ÷ node -e 0 |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...figures.map((f) => `| \`${f.name}\` | ${f.medianMs.toFixed(0)} ms | ${f.minMs.toFixed(0)} ms | ${f.maxMs.toFixed(0)} ms | ${f.ratio.toFixed(2)}× |`),
    '',
    `Goal (issue 15): \`duban plan validate\` within ${GOAL_RATIO}× \`node -e 0\`: ${figures[1]!.ratio <= GOAL_RATIO ? 'met' : 'not met'} (${figures[1]!.ratio.toFixed(2)}×).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const out = join(ROOT, '.duban', 'bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cli-startup.json'), `${JSON.stringify({ machine, runs, warmup, goalRatio: GOAL_RATIO, arms: figures }, null, 2)}\n`);
  // Beside docs/bench.md (which `pnpm bench` writes whole): the figures the README quotes.
  const how = [
    'The bin runs `packages/cli/dist/duban.bundle.js`, the CLI in one file (`pnpm build` runs',
    '`packages/cli/scripts/bundle.js`: esbuild, the CLI with @duban/common, @duban/plan, zod,',
    'yaml, luxon and commander; every other package left to `require`), with the V8 code cache',
    'that the first call writes beside it, and with V8 asked to optimize only code that stays',
    'hot (a tenfold interrupt budget, `bin/duban.js`). The compiled arm is the same command from',
    '`dist/main.js`, module by module: what the bin ran before, and runs when the bundle is',
    'missing or older than a compile of the packages it holds.',
    '',
    'Where the time of `plan validate` goes (the bin, `node --cpu-prof` and marks, idle machine,',
    'about 125 ms): Node itself about 45 ms; reading the bundle and its code cache 11 ms; the',
    "bundle's modules 8 ms; the zod schemas of @duban/plan 9 ms (built when the command loads);",
    'parsing the YAML with positions 28 ms; the schema check 5 ms; the cross-checks 3 ms.',
  ];
  writeFileSync(join(ROOT, 'docs', 'bench-cli.md'), `# pnpm bench:cli\n\n${lines.join('\n')}\n\n${how.join('\n')}\n`);
}

main();
