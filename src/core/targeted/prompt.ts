/**
 * When the fast path asks for targeted blocks instead of a rewrite. Measured (`npm run bench`, "output tokens of a
 * one-line fix, rewrite vs targeted, by scope size"): a rewrite costs ~24 output tokens per line of scope, a targeted
 * answer ~165 tokens whatever the scope; the two meet near 7 lines, and at 80 lines the rewrite is ~11× the tokens
 * (1,901 vs 165: ~1.9 s at 1,000 tok/s, ~19 s at 100 tok/s). Below 80 lines the rewrite costs under 2 s at 1,000
 * tok/s and is kept: it is the most robust format (nothing to place, nothing left out) and Predicted Outputs make it
 * cheap where the provider has them.
 */
export const TARGETED_MIN_LINES = 80;

export type EditFormat = 'rewrite' | 'targeted';

/** `auto`: targeted for a whole file or a scope of at least TARGETED_MIN_LINES lines; otherwise the rewrite. */
export function chooseFormat(setting: 'auto' | EditFormat, scopeLines: number, wholeFile: boolean): EditFormat {
  if (setting !== 'auto') return setting;
  return wholeFile || scopeLines >= TARGETED_MIN_LINES ? 'targeted' : 'rewrite';
}

/** A phrase the (demo) model server recognises to answer in this format. */
export const TARGETED_MARKER = 'Answer with targeted edit blocks';

export const TARGETED_INSTRUCTIONS = [
  'You are Spark Edit, a precise code-editing engine inside a code editor.',
  'You receive an instruction and a piece of code between <code> and </code>, with surrounding context.',
  `${TARGETED_MARKER} in the apply_patch format, never the whole code:`,
  '*** Begin Patch',
  '@@ <optional: an unchanged line above the change, e.g. the enclosing function signature, when the context repeats>',
  ' <3 unchanged lines before the change>',
  '-<a line removed>',
  '+<a line added>',
  ' <3 unchanged lines after the change>',
  '*** End Patch',
  'One @@ block per changed place, in the order of the code, each context line copied exactly (indentation included) from inside <code>.',
  'Change only the code inside <code>. No Markdown fences, no commentary, no *** Update File line needed.',
].join('\n');

/** The instruction line that ends an edit prompt in the targeted format (replaces "Rewrite the code…"). */
export function targetedAsk(): string {
  return 'Change the code inside <code> following the instruction. Output only the *** Begin Patch … *** End Patch blocks.';
}

/** Asking again after blocks could not be placed (the reasons as the user was told them). */
export function retryLeftOutMessage(reasons: string[], currentCode?: string): string {
  const code = currentCode !== undefined ? `The code now reads:\n<code>\n${currentCode}\n</code>\n` : '';
  return (
    `Some blocks of your answer could not be placed in the code, so they were left out: ${reasons.join('; ')}.\n` +
    code +
    'Answer again from the start with every change, as *** Begin Patch … *** End Patch blocks in the order of the code. ' +
    'Copy each context line exactly, and give each block enough unchanged lines (or an @@ line naming the enclosing function) that it matches exactly one place.'
  );
}

export function targetedRedirectAsk(): string {
  return (
    'Answer again from the start, applying the original instruction and this new direction to the code as it now reads: ' +
    'only *** Begin Patch … *** End Patch blocks, in the order of the code.'
  );
}
