/** What the simulation tests share: fixtures, the jest run's workflow bundle, a year ahead. */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { duban, repoRoot, type Run } from '../cli/run';
import { temporaryDirectory } from '../harness';
import type { SimulationOutcome } from '@duban/simulate';

export const fixture = (name: string): string => join(__dirname, 'fixtures', name);
export const SEED_PLAN = join(repoRoot, 'plans', 'xihu-2020.yaml');
export const SMALL_PLAN = fixture('small-plan.yaml');

/** The workflow bundle the jest run's global setup wrote: the worker need not bundle again. */
export const BUNDLE_ENV = { DUBAN_WORKFLOW_BUNDLE: join(repoRoot, '.duban', 'test', 'workflows-bundle.js') };

/** Next year in the plans' zone: every re-dated date lies ahead of the time-skipping server's clock. */
export const YEAR = DateTime.now().setZone('Asia/Shanghai').year + 1;

/** `duban simulate ARGS… --campaign-year YEAR --out <temp dir>` in this process. */
export async function simulateCli(args: string[], out = temporaryDirectory('duban-simulate-')): Promise<Run & { out: string }> {
  const run = await duban(['simulate', ...args, '--campaign-year', String(YEAR), '--out', out], { env: BUNDLE_ENV });
  return { ...run, out };
}

export function outcomeOf(run: Run): SimulationOutcome {
  return JSON.parse(run.stdout) as SimulationOutcome;
}
