/**
 * How removed rows are written into the document while a preview is pending (issue 11).
 *
 * The document holds both the removed and the added rows, so a language server would see the old and the new code
 * at once (duplicate declarations, false errors). A removed row is therefore written as a line comment of the file's
 * language: `// ` + its original text in TypeScript, `# ` + its text in Python, … The editor hides the prefix (a
 * decoration), so the row still reads as the struck-through original; the language server sees only the proposal.
 * Languages with no line comment (or unknown ones) keep the removed rows as code (the behaviour before).
 */

const SLASHES = [
  'typescript',
  'typescriptreact',
  'javascript',
  'javascriptreact',
  'c',
  'cpp',
  'cuda-cpp',
  'csharp',
  'java',
  'go',
  'rust',
  'swift',
  'kotlin',
  'scala',
  'dart',
  'php',
  'objective-c',
  'objective-cpp',
  'groovy',
  'fsharp',
  'jsonc',
  'scss',
  'less',
  'zig',
  'proto',
  'proto3',
  'solidity',
  'hlsl',
  'glsl',
];
const HASH = [
  'python',
  'shellscript',
  'ruby',
  'perl',
  'yaml',
  'toml',
  'r',
  'dockerfile',
  'makefile',
  'powershell',
  'elixir',
  'julia',
  'coffeescript',
  'nim',
  'properties',
  'cmake',
  'graphql',
];
const DASHES = ['sql', 'lua', 'haskell', 'elm', 'purescript', 'ada'];

const TOKENS = new Map<string, string>([
  ...SLASHES.map((l) => [l, '// '] as [string, string]),
  ...HASH.map((l) => [l, '# '] as [string, string]),
  ...DASHES.map((l) => [l, '-- '] as [string, string]),
]);

export type RemovedLines = 'comment' | 'code';

/** The prefix a removed row carries in the document for this language ('' = written as code, as before). */
export function removedPrefix(languageId: string, mode: RemovedLines = 'comment'): string {
  if (mode !== 'comment') return '';
  return TOKENS.get(languageId) ?? '';
}
