// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI reads,
// preceded by one line per failed test (file › title), so a log cut short still says what failed.
const { relative } = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites } = results;
    const failed = numFailedTests + numRuntimeErrorTestSuites;
    const lines = [];
    for (const file of results.testResults) {
      const path = relative(process.cwd(), file.testFilePath);
      if (file.testExecError) lines.push(`failed: ${path} (${String(file.testExecError.message).split('\n')[0]})`);
      for (const test of file.testResults) {
        if (test.status === 'failed') lines.push(`failed: ${path} › ${test.fullName}`);
      }
    }
    process.stdout.write(`\n${lines.map((l) => `${l}\n`).join('')}tests: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
