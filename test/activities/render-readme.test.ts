import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderNotice } from '@duban/activities';
import type { Notice } from '@duban/common';

// The package's README shows one rendered 督办单 in Chinese and English, from a notice it
// also shows: re-rendered here, so the README never drifts from what people receive.
const readmePath = join(dirname(require.resolve('@duban/activities/package.json')), 'README.md');
const readme = readFileSync(readmePath, 'utf8');

/** The fenced block right after `<!-- render-sample:NAME -->`. */
function sample(name: string): string {
  const found = new RegExp(`<!-- render-sample:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!found?.[1]) throw new Error(`${readmePath} has no render-sample:${name} block`);
  return found[1];
}

const input = JSON.parse(sample('input')) as { workspaceUrl: string; notice: Notice };

/** What the README shows: the subject, a blank line, the text. */
function shown(lang: 'zh' | 'en'): string {
  const notice = { ...input.notice, settings: { ...input.notice.settings, lang } } as Notice;
  const { subject, text } = renderNotice(notice, { workspaceUrl: input.workspaceUrl });
  return `${subject}\n\n${text}`;
}

test('the sample is a 督办单 of the seed plan in its own language, Chinese', () => {
  expect(input.notice.kind).toBe('supervision-notice');
  expect(input.notice.settings?.lang).toBe('zh');
});

test.each(['zh', 'en'] as const)('the README shows the sample 督办单 in %s exactly as it renders', (lang) => {
  expect(sample(lang)).toBe(shown(lang));
});

test('the Chinese sample has the parts of a formal notice: number, issuer, addressee, reasons, reply deadline, date and link', () => {
  const lines = sample('zh').split('\n');
  expect(lines.slice(0, 5)).toEqual(['【督办单】任务3「河湖水环境整治」', '', '城市建管十大提升行动指挥部', '督办单', '督办〔2021〕3-1号']);
  expect(lines).toContain('城管办：');
  expect(lines).toContain('1. 进度滞后（按计划应达50%）');
  expect(lines.join('\n')).toContain('请于2021年6月14日 09:00前书面报送滞后原因和整改措施，确保于2021年12月31日前办结');
  expect(lines.slice(-4)).toEqual(['指挥部办公室', '2021年6月7日', '', '查看任务：https://duban.example.gov.cn/plans/xihu-2020/tasks/3']);
});
