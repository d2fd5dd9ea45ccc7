import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

// The shape of the code (issue 13): no import circles and no function longer than MAX_FUNCTION_LINES in src/.
// ESLint (`max-lines-per-function`) says the same in the editor; this test keeps it true without a lint run.

const MAX_FUNCTION_LINES = 100;
const srcRoot = path.resolve(__dirname, '../../../src');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The relative modules a file imports at run time (`import type` erases at compile time and is left out). */
function runtimeImports(file: string): string[] {
  const out: string[] = [];
  for (const st of parse(file).statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(st) && !st.importClause?.isTypeOnly) spec = st.moduleSpecifier;
    if (ts.isExportDeclaration(st) && !st.isTypeOnly) spec = st.moduleSpecifier;
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), spec.text);
    const hit = [base + '.ts', base + '.tsx', path.join(base, 'index.ts')].find((p) => fs.existsSync(p));
    if (hit) out.push(hit);
  }
  return out;
}

/** Every import circle under `dir`, each as the list of files around it (relative to `dir`). */
export function importCycles(dir: string): string[][] {
  const graph = new Map(tsFiles(dir).map((f) => [f, runtimeImports(f)]));
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push(stack.slice(stack.indexOf(g)).map((p) => path.relative(dir, p)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

/** Functions longer than `max` lines under `dir`, as "file:line name (n lines)". */
export function longFunctions(dir: string, max: number): string[] {
  const out: string[] = [];
  for (const file of tsFiles(dir)) {
    const src = parse(file);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
        const lines = src.getLineAndCharacterOfPosition(node.getEnd()).line - start + 1;
        if (lines > max)
          out.push(
            `${path.relative(dir, file)}:${start + 1} ${(node as ts.FunctionLikeDeclaration).name?.getText(src) ?? '(anonymous)'} (${lines} lines)`,
          );
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  return out;
}

describe('code shape', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-shape-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('finds an import circle, and ignores type-only imports', () => {
    fs.writeFileSync(path.join(tmp, 'a.ts'), "import { b } from './b';\nexport const a = () => b;\n");
    fs.writeFileSync(path.join(tmp, 'b.ts'), "import { c } from './c';\nexport const b = c;\n");
    fs.writeFileSync(
      path.join(tmp, 'c.ts'),
      "import { a } from './a';\nimport type { T } from './d';\nexport const c = a;\n",
    );
    fs.writeFileSync(path.join(tmp, 'd.ts'), "import { c } from './c';\nexport type T = typeof c;\n");
    assert.deepEqual(importCycles(tmp), [['a.ts', 'b.ts', 'c.ts']]);
  });

  it('finds a function longer than the limit', () => {
    fs.writeFileSync(path.join(tmp, 'long.ts'), `export function long() {\n${'  void 0;\n'.repeat(5)}}\n`);
    assert.deepEqual(longFunctions(tmp, 6), ['long.ts:1 long (7 lines)']);
  });

  it('src/ has no import circles', () => {
    assert.ok(fs.existsSync(path.join(srcRoot, 'core', 'session', 'region.ts')), 'scans the real tree');
    assert.deepEqual(importCycles(srcRoot), []);
  });

  it(`src/ has no function longer than ${MAX_FUNCTION_LINES} lines`, () => {
    assert.deepEqual(longFunctions(srcRoot, MAX_FUNCTION_LINES), []);
  });

  it('extension.ts only wires: no functions or classes of its own besides activate and deactivate', () => {
    const own = parse(path.join(srcRoot, 'vscode', 'extension.ts'))
      .statements.filter((st) => ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st))
      .map((st) => (st as ts.FunctionDeclaration | ts.ClassDeclaration).name?.text);
    assert.deepEqual(own, ['activate', 'deactivate']);
  });
});
