// Regenerates the table of task messages in README.md (between the messages markers)
// from the messages' own declarations. Run after `tsc -b`:
//   pnpm --filter @duban/workflows run messages
// test/workflows/messages-table.test.ts fails when the committed table is stale.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { withMessagesTable } = require('../dist');

const target = join(__dirname, '..', 'README.md');
writeFileSync(target, withMessagesTable(readFileSync(target, 'utf8')));
process.stdout.write(`wrote ${target}\n`);
