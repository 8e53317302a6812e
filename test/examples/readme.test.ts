import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('README.md', () => {
  it('shows exactly the embedding example that test/examples/embed.test.ts compiles and runs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.split('## Embedding the worker')[1] ?? '';
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet).toBe(readFileSync(join(root, 'examples', 'embed-worker.ts'), 'utf8'));
    expect(snippet?.trimEnd().split('\n').length).toBeLessThan(25);
  });

  it('gives a Quick start with exactly two commands', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const lines = block.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('bash scripts/test.sh');
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toContain('bash scripts/test.sh');
  });
});
