/**
 * Runs the cross-checks in their order, which matters: each reads what the ones before it
 * collected into the context (the campaign, units, groups, people, sections, milestones),
 * and the units the tasks give work to decide who needs a unit head.
 */
import type { Context, Finding } from './check-context';
import { checkCalendar, checkCampaign } from './date-checks';
import { checkCollectives, collectUnits } from './unit-checks';
import { checkMilestones, checkTasks, collectActions } from './task-checks';
import { checkHeads, checkOrganization, collectGroups, collectPeople } from './organization-checks';

/** Reference and consistency checks the schema cannot express. */
export function crossCheck(data: unknown): Finding[] {
  const ctx: Context = {
    findings: [],
    units: new Map(),
    groups: new Set(),
    people: new Map(),
    milestones: new Set(),
    actions: new Set(),
    campaign: undefined,
  };
  checkCampaign(ctx, data);
  collectUnits(ctx, data);
  checkCollectives(ctx, data);
  collectGroups(ctx, data);
  collectPeople(ctx, data);
  collectActions(ctx, data);
  checkMilestones(ctx, data);
  const assigned = checkTasks(ctx, data);
  checkOrganization(ctx, data);
  checkHeads(ctx, assigned);
  checkCalendar(ctx, data);
  return ctx.findings;
}
