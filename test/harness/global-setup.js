// Bundles the duban workflows once per jest run: every test file and worker process
// reuses the file instead of bundling again (webpack takes seconds of CPU each time).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { bundleWorkflowCode, DefaultLogger, Runtime } = require('@temporalio/worker');

const BUNDLE_PATH = join(__dirname, '..', '..', '.duban', 'test', 'workflows-bundle.js');

module.exports = async function globalSetup() {
  const logger = new DefaultLogger(process.env.DUBAN_DEBUG === '1' ? 'DEBUG' : 'WARN');
  Runtime.install({ logger });
  // As the worker bundles them (`workflowBundleOptions`), shared modules included.
  const { workflowBundleOptions } = require('@duban/workflows');
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger });
  mkdirSync(join(BUNDLE_PATH, '..'), { recursive: true });
  writeFileSync(BUNDLE_PATH, code);
};
module.exports.BUNDLE_PATH = BUNDLE_PATH;
