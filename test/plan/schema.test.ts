import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planJsonSchema, planSchema } from '@duban/plan';

describe('plans/plan.schema.json', () => {
  it('is up to date with the zod schema (regenerate with `pnpm --filter @duban/plan run schema`)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'plans', 'plan.schema.json'), 'utf8'));
    expect(committed).toEqual(planJsonSchema());
  });

  it('lets a plan omit policies and fills in the documented defaults', () => {
    const policies = planSchema.shape.policies.parse(undefined);
    expect(policies).toEqual({
      acknowledgementWindow: 'P3D',
      reminderCadence: 'P7D',
      stallWindow: 'P14D',
      reviewDeadline: 'P5D',
      requireAssistingReports: true,
      allowSameUnitReview: false,
      progressExpectation: { rule: 'linear', yellowTolerance: 15 },
      escalation: [
        { rung: 'reminder', wait: 'P3D' },
        { rung: 'supervision-notice', wait: 'P7D' },
        { rung: 'interview', wait: 'P7D' },
        { rung: 'accountability', wait: 'P14D' },
      ],
      scoring: {
        base: 100,
        deductions: { yellow: 2, red: 5, rungs: { reminder: 1, 'supervision-notice': 3, interview: 5, accountability: 10 } },
        commendation: { minScore: 95, earlyBy: 'P7D' },
      },
    });
  });
});
