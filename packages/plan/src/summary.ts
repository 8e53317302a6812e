import { milestoneInstant, taskSchedule } from './calendar';
import type { DueRule, Plan, PlanDeadline } from './schema';

/** One row of `duban plan show`: a task with its units resolved to their names. */
export interface PlanTaskRow {
  number: number;
  /** The number as the source prints it (format 2), e.g. （三）2. */
  printed?: string;
  /** The headings between the top-level section and the task (format 2). */
  path?: { printed: string; title: string }[];
  action: number;
  title: { zh: string; en?: string };
  /** Unit code of the first lead unit (牵头单位以排名在前的为主). */
  primaryLead: string;
  /** Unit codes of the other lead units, in source order. */
  assistingLeads: string[];
  /** False when the source states no primary lead: the lead units are co-leads (the first submits). */
  leadPrimary: boolean;
  responsible: string[];
  /** Units with the third role word (配合单位, 协办单位). */
  cooperating: string[];
  milestones: string[];
  /** The task's own deadline as the plan states it, if any. */
  deadline: PlanDeadline | undefined;
  /** The effective deadline instant (own deadline, else the latest milestone). */
  deadlineAt: string | undefined;
}

/** What `duban plan show --json` prints: the plan's shape without its roster and policies. */
export interface PlanSummary {
  id: string;
  title: { zh: string; en: string };
  timeZone: string;
  campaign: { start: string; end: string };
  units: { code: string; name: string; en: string; kind: string }[];
  milestones: { id: string; source: string; due: string; rule: DueRule; dueAt: string; focusActions: number[] }[];
  actions: { number: number; printed?: string; title: { zh: string; en?: string }; tasks: number[] }[];
  tasks: PlanTaskRow[];
}

export function planSummary(plan: Plan): PlanSummary {
  const tasks = plan.actions.flatMap((action) =>
    action.tasks.map((task): PlanTaskRow => {
      const schedule = taskSchedule(plan, task.number);
      return {
        number: task.number,
        ...(task.printed === undefined ? {} : { printed: task.printed }),
        ...(task.path === undefined ? {} : { path: task.path }),
        action: action.number,
        title: task.title,
        primaryLead: task.lead[0] ?? '',
        assistingLeads: task.lead.slice(1),
        leadPrimary: task.leadPrimary ?? true,
        responsible: task.responsible,
        cooperating: task.cooperating ?? [],
        milestones: task.milestones,
        deadline: task.deadline,
        deadlineAt: schedule.deadlineAt,
      };
    }),
  );
  return {
    id: plan.id,
    title: plan.title,
    timeZone: plan.timeZone,
    campaign: plan.campaign,
    units: plan.units.map(({ code, name, en, kind }) => ({ code, name, en, kind })),
    milestones: plan.milestones.map((m) => ({
      id: m.id,
      source: m.source,
      due: m.due,
      rule: m.rule,
      dueAt: milestoneInstant(plan, m).toISO() ?? '',
      focusActions: m.focusActions,
    })),
    actions: plan.actions.map((a) => ({ number: a.number, ...(a.printed === undefined ? {} : { printed: a.printed }), title: a.title, tasks: a.tasks.map((t) => t.number) })),
    tasks: tasks.sort((a, b) => a.number - b.number),
  };
}
