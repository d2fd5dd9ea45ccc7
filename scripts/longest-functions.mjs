// Lists the longest functions (and the largest files) under a source folder, by lines, with the TypeScript
// compiler's own parser. `node scripts/longest-functions.mjs [dir=src] [count=15]`
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export function tsFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every function-like node in a file: name, first line, length in lines. */
export function functionsIn(file) {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const end = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      let name = node.name?.getText(src);
      if (!name && ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText(src);
      if (!name && ts.isPropertyAssignment(node.parent)) name = node.parent.name.getText(src);
      if (!name && ts.isPropertyDeclaration(node.parent)) name = node.parent.name.getText(src);
      if (!name && ts.isConstructorDeclaration(node)) name = 'constructor';
      found.push({ file, name: name ?? '(anonymous)', line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'src';
  const n = Number(process.argv[3] ?? 15);
  const files = tsFiles(dir);
  const fns = files.flatMap(functionsIn).sort((a, b) => b.lines - a.lines);
  console.log(`Longest functions under ${dir}:`);
  for (const f of fns.slice(0, n))
    console.log(`${String(f.lines).padStart(5)}  ${path.relative(dir, f.file)}:${f.line}  ${f.name}`);
  const sizes = files
    .map((f) => ({ f, lines: fs.readFileSync(f, 'utf8').split('\n').length - 1 }))
    .sort((a, b) => b.lines - a.lines);
  console.log(`\nLargest files under ${dir}:`);
  for (const s of sizes.slice(0, n)) console.log(`${String(s.lines).padStart(5)}  ${path.relative(dir, s.f)}`);
}
