// Regenerates plans/plan.schema.json from the zod schema. Run after `tsc -b`:
//   pnpm --filter @duban/plan run schema
// test/plan/schema.test.ts fails when the committed file is stale.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { planJsonSchema } = require('../dist');

const target = join(__dirname, '..', '..', '..', 'plans', 'plan.schema.json');
writeFileSync(target, `${JSON.stringify(planJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
