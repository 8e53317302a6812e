// Regenerates scenarios/scenario.schema.json from the zod schema. Run after `tsc -b`:
//   pnpm --filter @duban/simulate run schema
// test/simulate/scenario.test.ts fails when the committed file is stale.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { scenarioJsonSchema } = require('../dist');

const target = join(__dirname, '..', '..', '..', 'scenarios', 'scenario.schema.json');
writeFileSync(target, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
