import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGES_TABLE_MARKERS, messagesTable, TASK_MESSAGES } from '@duban/workflows';

const readme = join(__dirname, '..', '..', 'packages', 'workflows', 'README.md');

describe('the table of task messages in packages/workflows/README.md', () => {
  it('is the one rendered from the messages (regenerate with `pnpm --filter @duban/workflows run messages`)', () => {
    const text = readFileSync(readme, 'utf8');
    const { start, end } = MESSAGES_TABLE_MARKERS;
    const section = text.slice(text.indexOf(start) + start.length, text.indexOf(end));
    expect(text.indexOf(start)).toBeGreaterThan(0);
    expect(section.trim()).toBe(messagesTable());
  });

  it('has one row per message, naming who may send it and its own refusals', () => {
    const rows = messagesTable()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).toEqual(TASK_MESSAGES.map((m) => m.name));
    expect(rows.find((row) => row.startsWith('| `decideExtension`'))).toContain('`SELF_DECISION`');
    expect(rows.find((row) => row.startsWith('| `submit`'))).toContain('unit-head or staff of the primary lead unit');
  });
});
