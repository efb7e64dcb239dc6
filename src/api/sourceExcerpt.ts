// The lines around an error, numbered, with a caret under the column, as compilers show them:
//
//     8 |     image: busybox
//     9 |       command: ["sh"]
//       |       ^
//
// The nearest line with YAML above it is shown too (comments and blank lines skipped): most YAML
// mistakes are about how a line sits under the one before, and the hints compare the two.
import type { TextPosition } from './yamlErrorPosition.js';

/** A tab shown as a visible one-column arrow: it is often the very mistake, and keeps the caret aligned. */
const visible = (line: string): string => line.replace(/\r$/, '').replace(/\t/g, '→');

export function sourceExcerpt(text: string, at: TextPosition): string {
  const lines = text.split('\n');
  const width = String(at.line).length;
  const out: string[] = [];
  const number = (n: number) => String(n).padStart(width);
  let above = at.line - 2;
  while (above >= 0 && (lines[above]!.trim() === '' || lines[above]!.trimStart().startsWith('#'))) above--;
  if (above >= 0) out.push(`  ${number(above + 1)} | ${visible(lines[above]!)}`);
  out.push(`  ${number(at.line)} | ${visible(lines[at.line - 1] ?? '')}`);
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, at.col - 1))}^`);
  return out.join('\n');
}
