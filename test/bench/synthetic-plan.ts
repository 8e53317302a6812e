/**
 * A plan of any size for the scale benchmark and test: the seed plan's 20 tasks repeated
 * for N/20 streets (街道), each street a responsible unit of its own with a head and a
 * staff member — a district running its streets' plans in one campaign. Validated by the
 * plan loader like any plan file.
 */
import { parsePlan, PlanValidationError, type Plan } from '@duban/plan';

/** Tasks per street: the seed plan's. */
export const SEED_TASKS_PER_STREET = 20;

function streetCode(street: number): string {
  return `street-${String(street).padStart(4, '0')}`;
}

/**
 * `tasks` tasks: the seed's tasks for streets 1, 2, … in turn (the last street may get
 * fewer), numbered 1…`tasks` in plan order. The seed's routing is left out: the
 * benchmark's notifications go to the worker's log.
 */
export function syntheticPlan(seed: Plan, tasks: number): Plan {
  if (!Number.isSafeInteger(tasks) || tasks < 1) throw new RangeError(`A synthetic plan needs at least one task; ${tasks} given.`);
  const seedTasks = seed.actions.flatMap((a) => a.tasks.map((t) => ({ action: a.number, task: t })));
  const streets = Math.ceil(tasks / seedTasks.length);
  const streetIds = Array.from({ length: streets }, (_, i) => i + 1);
  const actions = seed.actions.map((a) => ({ ...a, tasks: [] as Plan['actions'][number]['tasks'] }));
  const actionOf = new Map(actions.map((a) => [a.number, a]));
  let number = 0;
  for (const street of streetIds) {
    for (const { action, task } of seedTasks) {
      if (number >= tasks) break;
      number += 1;
      const code = streetCode(street);
      actionOf.get(action)?.tasks.push({
        ...task,
        number,
        title: { zh: `${task.title.zh}（街道${street}）`, en: `${task.title.en} (street ${street})` },
        responsible: [code],
        responsibleSource: `街道${street}`,
      });
    }
  }
  const { routing: _routing, ...rest } = seed as Plan & { routing?: unknown };
  const input = {
    ...rest,
    id: `scale-${tasks}`,
    units: [
      ...seed.units,
      ...streetIds.map((street) => ({ code: streetCode(street), name: `街道${street}`, en: `Street ${street}`, kind: 'community' as const, example: true })),
    ],
    people: [
      ...seed.people.map(({ contact: _contact, ...person }) => person),
      ...streetIds.flatMap((street) => [
        { id: `${streetCode(street)}-head`, name: `街道${street}书记`, unit: streetCode(street), roles: ['unit-head' as const], example: true },
        { id: `${streetCode(street)}-staff`, name: `街道${street}干事`, unit: streetCode(street), roles: ['staff' as const], example: true },
      ]),
    ],
    actions: actions.filter((a) => a.tasks.length > 0),
  };
  const result = parsePlan(JSON.stringify(input), `scale-${tasks}.json`);
  if (!result.ok) throw new PlanValidationError(`scale-${tasks}.json`, result.problems);
  return result.plan;
}
