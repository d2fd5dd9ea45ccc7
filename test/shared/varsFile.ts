// Shared by the unit tests (plain Node) and the host suites: no `vscode` here.

/** The edit the host suites stream: a TypeScript file with `var`s in two functions. */
export const ORIGINAL = [
  'import { readFile } from "node:fs/promises";',
  '',
  'export function parse(text: string) {',
  '  var lines = text.split("\\n");',
  '  var out = [];',
  '  for (var i = 0; i < lines.length; i++) {',
  '    out.push(lines[i].trim());',
  '  }',
  '  return out;',
  '}',
  '',
  'export function total(xs: number[]) {',
  '  var sum = 0;',
  '  for (const x of xs) sum += x;',
  '  return sum;',
  '}',
  '',
].join('\n');

/** The model's rewrite of lines 2..15 with two separate changes (two hunks): `var` → `const` / `let`. */
export const REWRITE =
  ORIGINAL.split('\n').slice(2, 16).join('\n').replace('var lines', 'const lines').replace('var sum', 'let sum') + '\n';
