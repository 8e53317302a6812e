/**
 * The entry of `dist/duban.bundle.js`, the one-file build of the CLI that `bin/duban.js`
 * runs (see `scripts/bundle.js`). Tests and library users import `./main` as ever.
 */
import { config } from 'zod';

// One call of the CLI parses one plan: zod's fast path, code it generates with `new
// Function` per object schema, costs more to build than it saves on a single parse
// (about 10 ms of every start-up). The bundle holds its own copy of zod, so this reaches
// nothing but the bundle; results and messages are the same either way.
config({ jitless: true });

export { main } from './main';
