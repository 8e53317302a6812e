#!/usr/bin/env node
'use strict';
// Process entry of the duban worker: configuration from the environment
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, DUBAN_AUDIT_DB, DUBAN_WEBHOOK_URL, ...),
// graceful stop on SIGINT/SIGTERM. Build first: pnpm run build.
const { workerMain } = require('../dist/index.js');

workerMain().then(
  () => {
    process.exitCode = 0;
  },
  (err) => {
    const code = err && typeof err.code === 'string' ? `${err.code}: ` : '';
    process.stderr.write(`duban-worker: ${code}${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
