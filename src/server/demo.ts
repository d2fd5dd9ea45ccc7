/**
 * The demo model: deterministic edits, so `npm start` shows real streaming diffs with no API key. Each answer is
 * valid code in the file's language (TypeScript/JavaScript or Python), or a plain "the demo model can't do this"
 * (sent as the model's refusal: nothing changes). It knows: doc comments, const, rename a to b, upper-case strings,
 * error handling, async/await, fixing misspelled names and a few other bugs, simplifying a summing loop, and tests.
 * The logic lives in ./demo/*.
 */
import { diffArrays } from 'diff';
import { parseConversation } from '../core/prompt';
import { parseDeepPrompt } from '../core/deep/prompt';
import { toAsyncAwait } from './demo/asyncAwait';
import { Result, document, errorHandling, rename, upperStrings, useConst } from './demo/edits';
import { explainAnswer, risksAnswer } from './demo/explain';
import { fix } from './demo/fix';
import { Lang, scan } from './demo/scan';
import { simplify } from './demo/simplify';
import { testFile } from './demo/tests';
export { demoNextEdit } from './demo/nextEdit';
export { targetedAnswer } from './demo/targeted';

export interface DemoRequest {
  instruction: string;
  code: string;
  path?: string;
  language?: string;
  before?: string;
  after?: string;
}
/** The new code, or why the demo model cannot do what was asked (said to the user as the model's refusal). */
export type DemoResult = { code: string } | { cannot: string };

export const DEMO_CANT = "The demo model can't do this. Set an API key to use a real model (Spark Edit: Set API Key).";

export function languageOf(path = '', languageId = '', code = ''): Lang {
  if (/\.pyi?$/.test(path) || languageId === 'python') return 'py';
  if (/\.[cm]?[jt]sx?$/.test(path) || /script/.test(languageId)) return 'ts';
  return /^\s*(def|class|import|from)\s[^\n]*:?\s*$/m.test(code) && !/[;{}]\s*$/m.test(code) ? 'py' : 'ts';
}

/**
 * How the reason for an instruction the demo does not know starts (demoEdit's last branch; written out there for the
 * decline-toast test): the chat then offers the code documented instead (unit demoModel guards the pair).
 */
const UNKNOWN_EDIT = "The demo model doesn't know this edit.";

/** One instruction applied to the code: the new code, or a can't-do answer. */
export function demoEdit(r: DemoRequest): DemoResult {
  const lang = languageOf(r.path, r.language, r.code);
  const ins = r.instruction.toLowerCase();
  // The code with what the prompt shows around it, in the document's order (a parameter declared above a selection
  // that starts inside the function is a declared name).
  const context = [r.before, r.code, r.after].filter((x) => x !== undefined).join('\n');
  const rn = /rename\s+([A-Za-z_$][\w$]*)\s+to\s+([A-Za-z_$][\w$]*)/i.exec(r.instruction);
  let res: Result;
  const cut = cutString(r.before, r.code, r.after, lang);
  if (cut)
    res = {
      cannot: `The selection ${cut} inside a string. Select whole lines of code (not part of a docstring or multi-line string).`,
    };
  else if (rn) res = rename(r.code, lang, rn[1], rn[2], r.after ?? '');
  else if (/^\s*(find and )?fix\b/.test(ins)) res = fix(r.instruction, r.code, lang, context);
  else if (/async|await|promise/.test(ins)) res = toAsyncAwait(r.code, lang);
  else if (/(?<![\w-])tests?\b/.test(ins))
    // ("xss-test" in the chat test is not a request for tests)
    res = { cannot: 'Tests go in a test file of their own: use "Spark Edit: Add Tests".' };
  else if (/comment|\bdoc/.test(ins)) res = document(r.code, lang);
  else if (/simplif/.test(ins)) res = simplify(r.code, lang);
  else if (/\bconst\b/.test(ins)) res = useConst(r.code, lang, r.after ?? '');
  else if (/upper/.test(ins)) res = upperStrings(r.code, lang);
  else if (/error|exception|\btry\b/.test(ins))
    res = errorHandling(r.code, lang, r.after ?? '', r.before ?? '', r.path ?? '');
  else
    res = {
      cannot: `The demo model doesn't know this edit. It knows: add doc comments, use const, rename a to b, add error handling, convert to async/await, simplify, fix, upper-case strings, Add Tests.`,
    };
  // The reason first (a notification shows one line: its first ~80 characters), then what to do (set a key).
  return 'cannot' in res ? { cannot: `${res.cannot} ${DEMO_CANT}` } : res;
}

/**
 * Whether the selection starts or ends inside a string literal that goes on across its edge (a docstring cut by the
 * selection): the demo would read the string's text as code (round 8: "Make every string literal upper case" on part
 * of a docstring upper-cased the code after it, `FOR X IN XS:`).
 */
function cutString(
  before: string | undefined,
  code: string,
  after: string | undefined,
  lang: Lang,
): string | undefined {
  const spans = (src: string, at: number) =>
    scan(src, lang).some((t) => t.kind === 'str' && t.start < at && t.start + t.text.length > at);
  // A string the code alone leaves open (a docstring's closing quotes read as an opening): the prompt's `before` is a
  // window that may itself start inside a string, so it is not enough.
  const open = scan(code, lang).find((t) => {
    const q = t.kind === 'str' ? /^("""|'''|"|'|`)/.exec(t.text)?.[1] : undefined;
    return !!q && (t.text.length < 2 * q.length || !t.text.endsWith(q));
  });
  if (open) return 'starts or ends';
  if (before !== undefined && spans(`${before}\n${code}`, before.length + 1)) return 'starts';
  if (after !== undefined && spans(`${code}\n${after}`, code.length)) return 'ends';
  return undefined;
}

/** The old shape, for callers that want text: the new code (with a final newline), or the code unchanged. */
export function demoRewrite(
  instruction: string,
  code: string,
  o: Omit<DemoRequest, 'instruction' | 'code'> = {},
): string {
  const r = demoEdit({ ...o, instruction, code });
  return ('code' in r ? r.code : code).replace(/\n?$/, '\n');
}

/** The demo's answer to a whole edit conversation (first prompt, redirects): every instruction in turn. */
export function demoFromPrompt(prompt: string): DemoResult {
  const conv = parseConversation(prompt);
  if (!conv) return { cannot: DEMO_CANT };
  const file = /^File: (\S+)(?: \(([\w-]+)\))?$/m.exec(prompt);
  const before = /<before>\n([\s\S]*?)\n<\/before>/.exec(prompt)?.[1];
  const after = /<after>\n([\s\S]*?)\n<\/after>/.exec(prompt)?.[1];
  // A fix instruction lists the editor's diagnostics on the lines after it.
  const diags = [...prompt.matchAll(/^- line \d+: .*$/gm)].map((m) => m[0]).join('\n');
  let code = conv.code;
  for (const ins of conv.instructions) {
    const r = demoEdit({
      instruction: /^fix (this|these) problem/i.test(ins) ? `${ins}\n${diags}` : ins,
      code,
      path: file?.[1],
      language: file?.[2],
      before,
      after,
    });
    if ('cannot' in r) return r;
    code = r.code;
  }
  return { code: withTrailingBlankLines(code, conv.code) };
}

/**
 * The answer text for `code` (one line per line, a newline after the last), ending on exactly the blank lines the
 * asked-for code ended on: the demo keeps what it was not asked to change (issue 11: the blank line after a
 * selected function was proposed for deletion).
 */
export function withTrailingBlankLines(code: string, asked: string): string {
  const blank = /(?:\n[ \t]*)*$/.exec(asked)?.[0] ?? '';
  return code.replace(/(?:\n[ \t]*)*$/, '') + blank + '\n';
}

/** The demo "deep model": a patch that changes what was selected (or each file given), or adds a test file. */
export function demoDeep(prompt: string): DemoResult {
  const req = parseDeepPrompt(prompt);
  if (!req) return { cannot: DEMO_CANT };
  const focusM = /^The user is looking at (.+), lines (\d+)-(\d+)\.$/m.exec(prompt);
  const focus = focusM
    ? { path: focusM[1], startLine: Number(focusM[2]) - 1, endLine: Number(focusM[3]) - 1 }
    : undefined;
  const testM = /^Test file: (\S+) \((it exists|it does not exist)/m.exec(prompt);
  const src = req.files.find((f) => f.path === focus?.path) ?? req.files[0];
  if (testM) {
    if (testM[2] === 'it exists')
      return { cannot: `${testM[1]} exists already. The demo model only writes new test files. ${DEMO_CANT}` };
    const t = testFile(src.path, testM[1], src.text, focus && focus.path === src.path ? focus : undefined);
    if ('cannot' in t) return { cannot: `${t.cannot} ${DEMO_CANT}` };
    return {
      code: [
        '*** Begin Patch',
        `*** Add File: ${testM[1]}`,
        ...t.code
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => '+' + l),
        '*** End Patch',
        '',
      ].join('\n'),
    };
  }
  const out = ['*** Begin Patch'];
  let why = '';
  const targets = focus ? req.files.filter((f) => f.path === focus.path) : req.files;
  for (const f of targets) {
    const lines = f.text.split('\n');
    const s = focus ? Math.max(0, focus.startLine) : 0,
      e = focus ? Math.min(lines.length - 1, focus.endLine) : lines.length - 1;
    const r = demoEdit({
      instruction: req.instruction,
      code: lines.slice(s, e + 1).join('\n'),
      path: f.path,
      before: lines.slice(Math.max(0, s - 20), s).join('\n'),
      after: lines.slice(e + 1, e + 21).join('\n'),
    });
    if ('cannot' in r) {
      why ||= r.cannot;
      continue;
    }
    const hunks = patchHunks(lines, [...lines.slice(0, s), ...r.code.split('\n'), ...lines.slice(e + 1)]);
    if (hunks.length) out.push(`*** Update File: ${f.path}`, ...hunks);
  }
  if (out.length === 1) return { cannot: why || `Nothing to change. ${DEMO_CANT}` };
  return { code: [...out, '*** End Patch', ''].join('\n') };
}

/** Patch hunks (@@ with up to 3 lines of context) turning a into b. */
function patchHunks(a: string[], b: string[]): string[] {
  const rows: Array<{ k: ' ' | '-' | '+'; t: string }> = [];
  for (const c of diffArrays(a, b)) for (const t of c.value) rows.push({ k: c.added ? '+' : c.removed ? '-' : ' ', t });
  const out: string[] = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i].k === ' ') {
      i++;
      continue;
    }
    let from = i;
    let ctx = 0;
    while (from > 0 && rows[from - 1].k === ' ' && ctx < 3) {
      from--;
      ctx++;
    }
    let to = i;
    for (;;) {
      while (to < rows.length && rows[to].k !== ' ') to++;
      let run = 0;
      while (to + run < rows.length && rows[to + run].k === ' ') run++;
      if (to + run < rows.length && run <= 6) {
        to += run;
        continue;
      }
      to += Math.min(3, run);
      break;
    }
    out.push('@@', ...rows.slice(from, to).map((r) => r.k + r.t));
    i = to;
  }
  return out;
}

/** Kept for callers of the old deep demo: the patch text (an empty patch when the demo cannot). */
export function demoPatch(instruction: string, files: Array<{ path: string; text: string }>): string {
  const r = demoDeep(
    [`Instruction: ${instruction}`, ...files.map((f) => `<file path="${f.path}">\n${f.text}\n</file>`)].join('\n\n'),
  );
  return 'code' in r ? r.code : '*** Begin Patch\n*** End Patch\n';
}

/**
 * The chat's suggestion for a selection: the code edited as asked; when the demo cannot do that, the code documented;
 * when that changes nothing either (a partial selection with no whole function), why, and no code to Apply.
 */
function chatSuggestion(q: string, selection: ChatSelection): string[] {
  // "Explain" and "What could go wrong?": answered from the code itself, in prose (./demo/explain).
  const read = languageOf(selection.path, '', selection.code);
  if (/\bexplain\b|\bwhat does (this|it)\b/i.test(q)) return [explainAnswer(selection.code, read, selection.line)];
  if (/\bgo wrong\b|\brisks?\b|\bwhat could fail\b/i.test(q))
    return [risksAnswer(selection.code, read, selection.line)];
  const lang = /\.py$/.test(selection.path) ? 'python' : /\.(ts|tsx)$/.test(selection.path) ? 'ts' : 'js';
  const asked = demoEdit({ instruction: q, code: selection.code, path: selection.path });
  // The documented code stands in only for an instruction the demo does not know, not for a can't that says what to
  // do instead ("Tests go in a test file of their own: use Add Tests").
  const generic = 'cannot' in asked && asked.cannot.startsWith(UNKNOWN_EDIT);
  const answer = 'code' in asked || !generic ? asked : demoEdit({ instruction: 'add doc comments', ...selection });
  if (!('code' in answer) || answer.code.trimEnd() === selection.code.trimEnd())
    return ['cannot' in asked ? asked.cannot : 'No change: the selected code already does what you asked.'];
  return [
    '### A suggestion',
    '',
    'code' in asked
      ? 'The code, edited as you asked:'
      : 'The demo model cannot do that; here is the same code, documented:',
    '',
    '```' + `${lang} path=${selection.path}`,
    answer.code.trimEnd(),
    '```',
    '',
    '- **Apply** previews it as an inline diff in the file',
    '- **Copy** puts it on the clipboard',
    '- **Insert** adds it at the cursor',
  ];
}

/** The selection the chat sends: its file, its code and (when the chip says) its first line in the file (1-based). */
export interface ChatSelection {
  path: string;
  code: string;
  line?: number;
}

/** The demo model's chat answer: Markdown with a code block that can be applied (and, on request, hostile HTML). */
export function demoChat(question: string, selection?: ChatSelection): string {
  const q = question.trim().split('\n').pop() ?? '';
  const out = [
    `**Spark Edit demo model** (no API key is set: a small built-in model that answers by rules, not a real model).`,
    '',
    `You asked: _${q.replace(/[_*`]/g, '')}_`,
    '',
  ];
  if (selection) out.push(...chatSuggestion(q, selection));
  else
    // No code block: there is nothing to suggest without code (a newcomer's "Explain" with no selection got
    // `export const answer = 42;` with Apply / Copy / Insert buttons).
    out.push('Select some code (it shows up as a context chip) and ask again: the demo answers about the selection.');
  if (/xss-test/i.test(question)) {
    out.push(
      '',
      'Hostile output for the sanitiser test: <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> <a href="javascript:window.__xss=3">link</a> [md link](javascript:window.__xss=4)',
    );
  }
  return out.join('\n') + '\n';
}
