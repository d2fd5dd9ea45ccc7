/**
 * The demo model: a small deterministic rewrite, so `npm start` shows real streaming diffs with no API key.
 * It understands a few instructions (comments, const, rename X to Y, uppercase strings); anything else gets
 * a header comment naming the instruction, plus `var` → `let`.
 */
export { demoNextEdit } from './demo/nextEdit';

export function demoRewrite(instruction: string, code: string): string {
  const ins = instruction.toLowerCase();
  const lines = code.split('\n');
  const indentOf = (l: string) => /^\s*/.exec(l)![0];
  const control = /^\s*(if|for|while|switch|catch|with|return|else|do)\b/;
  const isFn = (l: string) => !control.test(l) && /^\s*(export\s+)?(async\s+)?function\b|^\s*(public|private|protected|static|async)?\s*[A-Za-z_$][\w$]*\s*\([^)]*\)\s*(:\s*[\w<>[\]|, ]+)?\s*\{\s*$|=>\s*\{\s*$|^\s*def\s/.test(l);
  let out: string[];
  const rename = /rename\s+([A-Za-z_$][\w$]*)\s+to\s+([A-Za-z_$][\w$]*)/i.exec(instruction);
  if (rename) {
    const re = new RegExp(`\\b${rename[1].replace(/\$/g, '\\$')}\\b`, 'g');
    out = lines.map((l) => l.replace(re, rename[2]));
  } else if (/comment|doc/.test(ins)) {
    out = [];
    for (const l of lines) {
      if (isFn(l)) {
        const name = /([A-Za-z_$][\w$]*)\s*(=\s*(async\s*)?\([^)]*\)\s*=>|\()/.exec(l)?.[1] ?? 'this function';
        out.push(`${indentOf(l)}/** ${name}: ${describe(name)} */`);
      }
      out.push(l);
    }
  } else if (/const/.test(ins)) {
    // const where the variable is never assigned again, let where it is (the demo should not break code).
    const reassigned = (name: string) => new RegExp(`(\\+\\+|--)\\s*${name}\\b|\\b${name}\\s*(\\+\\+|--|[-+*/%&|^]?=(?!=))`).test(code.replace(new RegExp(`\\b(var|let)\\s+${name}\\b\\s*=`, 'g'), ''));
    out = lines.map((l) => l.replace(/\b(var|let)\s+([A-Za-z_$][\w$]*)/g, (_m, _k, name: string) => `${reassigned(name.replace(/\$/g, '\\$')) ? 'let' : 'const'} ${name}`));
  } else if (/upper/.test(ins)) {
    out = lines.map((l) => l.replace(/(['"])([^'"\n]*)\1/g, (_m, q, s) => q + s.toUpperCase() + q));
  } else if (/error|handling|try/.test(ins)) {
    const ind = indentOf(lines.find((l) => l.trim()) ?? '');
    out = [`${ind}try {`, ...lines.map((l) => (l.trim() ? '  ' + l : l)), `${ind}} catch (err) {`, `${ind}  console.error(err);`, `${ind}  throw err;`, `${ind}}`];
  } else {
    const ind = indentOf(lines.find((l) => l.trim()) ?? '');
    out = [`${ind}// ${instruction.trim() || 'edited'} (Spark Edit demo model)`, ...lines.map((l) => l.replace(/\bvar\s/g, 'let '))];
  }
  return out.join('\n') + '\n';
}

function describe(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}

/** The demo "deep model": one patch hunk per file given (var → let with context, or a header comment). */
export function demoPatch(instruction: string, files: Array<{ path: string; text: string }>): string {
  const out = ['*** Begin Patch'];
  for (const f of files) {
    const lines = f.text.split('\n');
    let i = lines.findIndex((l) => /\bvar\s/.test(l));
    out.push(`*** Update File: ${f.path}`, '@@');
    if (i >= 0) {
      const from = Math.max(0, i - 2), to = Math.min(lines.length, i + 3);
      for (let k = from; k < to; k++) {
        if (k === i) { out.push('-' + lines[k], '+' + lines[k].replace(/\bvar\s/g, 'let ')); }
        else out.push(' ' + lines[k]);
      }
    } else {
      i = 0;
      out.push(`+// ${instruction.trim() || 'edited'} (Spark Edit demo deep model)`);
      for (let k = 0; k < Math.min(3, lines.length); k++) out.push(' ' + lines[k]);
    }
  }
  out.push('*** End Patch');
  return out.join('\n') + '\n';
}

/** The demo model's chat answer: Markdown with a code block that can be applied (and, on request, hostile HTML). */
export function demoChat(question: string, selection?: { path: string; code: string }): string {
  const q = question.trim().split('\n').pop() ?? '';
  const out = [`**Spark Edit demo model** (no API key is set, so this answer is canned).`, '', `You asked: _${q.replace(/[_*`]/g, '')}_`, ''];
  if (selection) {
    const lang = /\.py$/.test(selection.path) ? 'python' : /\.(ts|tsx)$/.test(selection.path) ? 'ts' : 'js';
    out.push('### A suggestion', '', 'The same code, documented:', '', '```' + `${lang} path=${selection.path}`, demoRewrite('add doc comments', selection.code).trimEnd(), '```', '',
      '- **Apply** previews it as an inline diff in the file', '- **Copy** puts it on the clipboard', '- **Insert** adds it at the cursor');
  } else {
    out.push('Select some code (it shows up as a context chip) and ask again to get a suggestion you can apply.', '', '```ts', 'export const answer = 42;', '```');
  }
  if (/xss-test/i.test(question)) {
    out.push('', 'Hostile output for the sanitiser test: <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> <a href="javascript:window.__xss=3">link</a> [md link](javascript:window.__xss=4)');
  }
  return out.join('\n') + '\n';
}
