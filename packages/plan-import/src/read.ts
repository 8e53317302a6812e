/**
 * The lines of a published plan, from a .txt or .md file as they stand, or from a .docx
 * through mammoth: its paragraphs in order, a table row as one `| cell | cell |` line, a
 * Word numbered list with its numbers written out. In a .docx a "line" is a paragraph.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DubanError, ErrorCode } from '@duban/common';

/** One line of the source: its text (trimmed) and its 1-based number. */
export interface SourceLine {
  text: string;
  line: number;
}

export type SourceKind = 'txt' | 'md' | 'docx';

export function sourceKind(file: string): SourceKind | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.txt' || ext === '.text') return 'txt';
  if (ext === '.md' || ext === '.markdown') return 'md';
  if (ext === '.docx') return 'docx';
  return undefined;
}

/** Splits text into trimmed, non-empty lines, keeping each line's number in the file. */
export function textLines(text: string, kind: 'txt' | 'md' = 'txt'): SourceLine[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, i) => {
      let line = raw.replace(/[\u3000\t]/g, ' ').trim();
      if (kind === 'md') {
        // Markdown marks are layout, not words: headings, emphasis, list bullets.
        line = line
          .replace(/^#{1,6}\s+/, '')
          .replace(/^[-*+]\s+/, '')
          .replace(/\*\*(.+?)\*\*/g, '$1')
          .trim();
      }
      return { text: line, line: i + 1 };
    })
    .filter((l) => l.text !== '');
}

/** The paragraphs and table rows of a .docx, in document order. */
export async function docxLines(buffer: Buffer): Promise<SourceLine[]> {
  // Loaded on use: `duban plan import` of a .txt does not pay for mammoth.
  const mammoth = await import('mammoth');
  const { parse } = await import('node-html-parser');
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer })).value;
  } catch (cause) {
    throw new DubanError(ErrorCode.IMPORT_UNSUPPORTED_FILE, 'This .docx cannot be read (is it a Word document, not renamed from another kind?).', { cause });
  }
  const lines: string[] = [];
  const root = parse(html);
  for (const element of root.childNodes) {
    if (!('tagName' in element)) continue;
    const el = element as unknown as import('node-html-parser').HTMLElement;
    const tag = el.tagName.toLowerCase();
    if (tag === 'table') {
      for (const row of el.querySelectorAll('tr')) {
        const cells = row.querySelectorAll('td, th').map((cell) => cell.textContent.replace(/\s+/g, ' ').replace(/\|/g, '／').trim());
        lines.push(`| ${cells.join(' | ')} |`);
      }
    } else if (tag === 'ol' || tag === 'ul') {
      el.querySelectorAll('li').forEach((li, i) => lines.push(tag === 'ol' ? `${i + 1}.${li.textContent.trim()}` : li.textContent.trim()));
    } else lines.push(el.textContent.trim());
  }
  return lines.map((text, i) => ({ text: text.replace(/[\u3000\t]/g, ' ').trim(), line: i + 1 })).filter((l) => l.text !== '');
}

/** Reads a plan source file into lines; a kind other than .txt, .md or .docx is refused. */
export async function readSourceLines(file: string): Promise<{ lines: SourceLine[]; kind: SourceKind }> {
  const kind = sourceKind(file);
  if (!kind) {
    throw new DubanError(ErrorCode.IMPORT_UNSUPPORTED_FILE, `${file}: duban plan import reads .txt, .md and .docx files.`, { details: { file } });
  }
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (cause) {
    throw new DubanError(ErrorCode.FILE_NOT_FOUND, `${file} cannot be read.`, { cause, details: { file } });
  }
  if (kind === 'docx') return { lines: await docxLines(buffer), kind };
  return { lines: textLines(buffer.toString('utf8'), kind), kind };
}
