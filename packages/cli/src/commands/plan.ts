import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { registerPlanImport } from './plan-import';
import { registerPlanMigrate } from './plan-migrate';
import { registerPlanShow } from './plan-show';
import { registerPlanValidate } from './plan-validate';

/** `duban plan …`: commands that read a plan file without a Temporal server. */
export function registerPlan(program: Command, ctx: CommandContext): void {
  const plan = program.command('plan').description('Validate and inspect plan files');
  registerPlanValidate(plan, ctx);
  registerPlanShow(plan, ctx);
  registerPlanMigrate(plan, ctx);
  registerPlanImport(plan, ctx);
}
