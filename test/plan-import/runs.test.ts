/**
 * A draft straight from the importer, with its invented people (--example-people), runs on
 * the time-skipping server: the dated nodes and the monthly reports it read from a real
 * campaign's text (fixtures/campaign-2011.zh.txt: 分别在2011年6月10日、8月10日前…,
 * 每月10日、20日前报送, only during its phase 5月下旬-8月) are checked by the task workflows
 * like milestones.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { duban } from '../cli/run';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';
import { outcomeOf, simulateCli, YEAR } from '../simulate/helpers';

afterAll(removeTemporaryDirectories);

it("runs an imported campaign's nodes and recurring reports as checks", async () => {
  const draft = join(temporaryDirectory('duban-import-run-'), 'campaign-2011.yaml');
  const imported = await duban(['plan', 'import', join(__dirname, 'fixtures', 'campaign-2011.zh.txt'), '--id', 'campaign-2011', '--example-people', '--out', draft]);
  expect(imported.code).toBe(0);
  expect((await duban(['plan', 'validate', draft])).code).toBe(0);

  const run = await simulateCli([draft, '--until', `${YEAR}-07-15`, '--json']);
  expect(run.code).toBe(0);
  const outcome = outcomeOf(run);
  expect(outcome.tasks).toHaveLength(3);
  const csv = outcome.files.auditCsv;
  if (csv === undefined) throw new Error('the simulation wrote no audit CSV');
  const rows = parse(await readFile(csv, 'utf8'), { columns: true, bom: true }) as { task: string; event: string; details_json: string }[];
  const checked = (task: string, event: string) => rows.filter((r) => r.task === task && r.event === event).map((r) => JSON.parse(r.details_json) as Record<string, unknown>);
  // Task 2 (全面排查和集中整治阶段): the node of 6月10日 has been checked by 15 July …
  expect(checked('2', 'node.checked')).toHaveLength(1);
  // … and the reports due on the 10th and the 20th of each month of its phase (5月下旬-8月):
  // 10 and 20 June, 10 July by 15 July; none in the months before the phase opens.
  expect(checked('2', 'report.checked')).toHaveLength(3);
  // Task 1 and 3 have neither: nothing of the kind is checked for them.
  expect([...checked('1', 'node.checked'), ...checked('3', 'report.checked')]).toEqual([]);
});
