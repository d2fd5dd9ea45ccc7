import { CommandKind } from './deep/router';

/** A command-palette refactor: a well-written instruction, the context it needs, and how it is routed. */
export interface Refactor {
  id: string;
  title: string;
  instruction: string;
  kind: CommandKind;
  /** Offered as a `refactor.rewrite` code action on a selection. */
  codeAction?: boolean;
  /** The light bulb offers it only on code it applies to (the command palette always runs it, on any selection). */
  appliesTo?: (code: string) => boolean;
}

/**
 * Code with something to convert to async/await: a promise chain, a `new Promise`, or a Node-style callback. A
 * newcomer saw "Convert to async/await" offered on plain synchronous Python (stats.py).
 */
export function hasAsyncToConvert(code: string): boolean {
  return /\.(then|catch|finally)\s*\(|\bnew\s+Promise\b|\b(callback|cb|done)\s*\(|\(\s*err(or)?\s*[,)]/.test(code);
}

export const REFACTORS: readonly Refactor[] = [
  {
    id: 'fix',
    title: 'Fix This',
    kind: 'fix',
    codeAction: true,
    instruction:
      'Find and fix the bugs in this code (wrong logic, off-by-one errors, unhandled cases, type errors). Keep its behaviour otherwise identical and change as few lines as possible.',
  },
  {
    id: 'simplify',
    title: 'Simplify',
    kind: 'refactor',
    codeAction: true,
    instruction:
      'Simplify this code without changing its behaviour: remove duplication and needless branches and variables, prefer clear standard constructs. Keep names that are used elsewhere.',
  },
  {
    id: 'document',
    title: 'Add Documentation',
    kind: 'refactor',
    codeAction: true,
    instruction:
      "Add documentation comments in the language's usual style (JSDoc/TSDoc, docstrings, …) to every function, class and method here: what it does, parameters, return value, errors. Do not change any code.",
  },
  {
    id: 'asyncAwait',
    title: 'Convert to async/await',
    kind: 'refactor',
    codeAction: true,
    appliesTo: hasAsyncToConvert,
    instruction:
      'Convert promise chains (.then/.catch) and callbacks in this code to async/await, keeping the behaviour, the error handling and the exported signatures (a function that returned a Promise still does).',
  },
  {
    id: 'tests',
    title: 'Add Tests',
    kind: 'tests',
    instruction:
      "Write thorough unit tests for this code in the test file given, using the test framework and style the project already uses (or the language's standard one). Cover normal cases, edge cases and errors. Add to the test file; do not change the code under test.",
  },
  {
    id: 'explain',
    title: 'Explain',
    kind: 'explain',
    instruction:
      'Explain what this code does, how it works, and anything surprising or risky in it. Be concise; use short sections and bullet points.',
  },
];

/**
 * The refactors the instruction box (its completions and picker) offers for `code`, the lines it is about: not Explain
 * or Add Tests (they are not edits of these lines), and only those that apply (a newcomer was offered "Convert to
 * async/await" on code with nothing asynchronous in it).
 */
export function boxRefactors(code: string): Refactor[] {
  return REFACTORS.filter((r) => r.kind !== 'explain' && r.kind !== 'tests' && (!r.appliesTo || r.appliesTo(code)));
}

export function refactor(id: string): Refactor | undefined {
  return REFACTORS.find((r) => r.id === id);
}

/** The conventional test file next to a source file. */
export function testFileFor(path: string): string {
  const m = /^(.*\/)?([^/]+?)(\.[^./]+)$/.exec(path);
  if (!m) return path + '.test';
  const [, dir = '', base, ext] = m;
  if (ext === '.py') return `${dir}test_${base}${ext}`;
  if (ext === '.go') return `${dir}${base}_test${ext}`;
  if (ext === '.rs') return path; // Rust tests live in the same file (#[cfg(test)])
  return `${dir}${base}.test${ext}`;
}

export interface DiagnosticInfo {
  line: number;
  message: string;
  source?: string;
  code?: string | number;
  severity: 'error' | 'warning' | 'info' | 'hint';
}

/** The instruction for "Fix with Spark Edit": every diagnostic in the range, fixed at once. */
export function fixInstruction(diags: DiagnosticInfo[]): string {
  const list = diags
    .map(
      (d) =>
        `- line ${d.line + 1}: ${d.severity}${d.source ? ` (${d.source}${d.code !== undefined ? ` ${d.code}` : ''})` : ''}: ${d.message}`,
    )
    .join('\n');
  return `Fix ${diags.length === 1 ? 'this problem' : 'these problems'} reported by the editor, changing as little as possible:\n${list}`;
}
