/**
 * `@duban/simulate`: a whole campaign played out in seconds. The time-skipping server runs
 * the real workflows, activities, audit store and notifier; simulated people, each
 * signing with their own key, act as a scenario file says; the outcome is plain data
 * (dates in the plan's zone, day resolution), the same for the same seed.
 *
 * @example
 * ```ts
 * import { loadPlanFile } from '@duban/plan';
 * import { compareOutcomes, loadScenarioFile, simulate } from '@duban/simulate';
 *
 * const plan = await loadPlanFile('plans/xihu-2020.yaml');
 * const scenario = await loadScenarioFile('scenarios/default.yaml', plan);
 * const { outcome, wallMs } = await simulate({ plan, planFile: 'plans/xihu-2020.yaml', scenario, outDir: '/tmp/run' });
 * console.log(outcome.totals.approved, outcome.escalations.length, `${wallMs} ms`);
 *
 * const late = await loadScenarioFile('scenarios/chengjian-late-task4.yaml', plan);
 * const whatIf = await simulate({ plan, planFile: 'plans/xihu-2020.yaml', scenario: late, outDir: '/tmp/run-b' });
 * console.log(compareOutcomes(outcome, whatIf.outcome).lateOnlyInB); // [4]
 * ```
 */
export { simulate, nextCampaignYear, RUN_FILES } from './engine';
export type { SimulateOptions, SimulationProgress, SimulationRun } from './engine';
export { compareOutcomes } from './compare';
export type { OutcomeComparison, TaskDifference, UnitDifference } from './compare';
export { OUTCOME_FORMAT, buildOutcome, rankUnits, sampleOf } from './outcome';
export type {
  EndedBy,
  OutcomeBulletin,
  OutcomeEvent,
  OutcomeMilestone,
  OutcomeRefusal,
  OutcomeRung,
  OutcomeSample,
  OutcomeTask,
  OutcomeUnit,
  SimulationOutcome,
} from './outcome';
export { boardChart, renderReport, scoreChart } from './report';
export type { ReportWords } from './report';
export {
  EXTENSION_DECISIONS,
  PROFILES,
  behaviourSchema,
  eventSchema,
  scenarioJsonSchema,
  scenarioSchema,
  resolveBehaviour,
} from './scenario';
export type { Behaviour, BehaviourInput, Profile, Scenario, ScenarioEvent } from './scenario';
export { ScenarioProblemCode, ScenarioValidationError, loadScenarioFile, parseScenario, readScenarioFile } from './scenario-file';
export type { LoadedScenario, ScenarioResult } from './scenario-file';
export { TaskAgent } from './people';
export type { Cast, Step, StepKind } from './people';
export { SimDays } from './days';
