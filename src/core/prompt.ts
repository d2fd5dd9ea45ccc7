import { InputMessage, assistantMessage, userMessage } from './protocol/responses';
import { targetedAsk, targetedRedirectAsk } from './targeted/prompt';

export const EDIT_INSTRUCTIONS = [
  'You are Spark Edit, a precise code-editing engine inside a code editor.',
  'You receive an instruction and a piece of code between <code> and </code>, with surrounding context.',
  'Reply with the complete rewritten code for the <code> part only: plain text, no Markdown fences, no commentary.',
  'Keep every line you do not need to change exactly as it is, including indentation, so the edit is a small diff.',
].join('\n');

export interface EditPromptInput {
  instruction: string;
  code: string;
  fileName?: string;
  languageId?: string;
  before?: string;
  after?: string;
  /** How the model answers: the whole code rewritten (default) or targeted blocks (src/core/targeted). */
  format?: 'rewrite' | 'targeted';
}

export function editPrompt(p: EditPromptInput): string {
  return [
    `Instruction: ${p.instruction.trim()}`,
    ...contextParts(p),
    p.format === 'targeted'
      ? targetedAsk()
      : 'Rewrite the code inside <code> following the instruction. Output only the rewritten code.',
  ].join('\n');
}

/** The file, the code around it and the code to edit, as every edit prompt gives them. */
function contextParts(p: Omit<EditPromptInput, 'instruction'>): string[] {
  const parts: string[] = [];
  if (p.fileName) parts.push(`File: ${p.fileName}${p.languageId ? ` (${p.languageId})` : ''}`);
  if (p.before) parts.push(`<before>\n${p.before}\n</before>`);
  parts.push(`<code>\n${p.code}\n</code>`);
  if (p.after) parts.push(`<after>\n${p.after}\n</after>`);
  return parts;
}

/**
 * The same prompt as two messages, the code first: the context (file, surrounding code, the code to edit) can be
 * sent ahead as a warm-up (`generate: false`) while the user types; the instruction then follows it alone.
 */
export function editContextPrompt(p: Omit<EditPromptInput, 'instruction'>): string {
  return [...contextParts(p), 'The instruction for this code follows in the next message.'].join('\n');
}

export function editInstructionPrompt(instruction: string, format?: EditPromptInput['format']): string {
  if (format === 'targeted') return `Instruction: ${instruction.trim()}\n${targetedAsk()}`;
  return `Instruction: ${instruction.trim()}\nRewrite the code in the previous message (between the code tags) following the instruction. Output only the rewritten code.`;
}

export function redirectMessage(
  newInstruction: string,
  currentCode?: string,
  format?: EditPromptInput['format'],
): string {
  const code =
    currentCode !== undefined
      ? `The code now reads (${format === 'targeted' ? 'change' : 'rewrite'} this):\n<code>\n${currentCode}\n</code>\n`
      : '';
  if (format === 'targeted')
    return `Stop. New direction from the user: ${newInstruction.trim()}\n` + code + targetedRedirectAsk();
  return (
    `Stop. New direction from the user: ${newInstruction.trim()}\n` +
    code +
    'Rewrite the code inside <code> again from its first line, applying the original instruction and this new direction. ' +
    'Keep every line the instructions do not ask to change. Output only the complete rewritten code.'
  );
}

/**
 * Messages for a redirect: the whole conversation (sent when there is no usable previous_response_id, e.g. after a
 * cancel closed the socket) and the increment (with previous_response_id). Both carry everything the model needs:
 * the code (again, in the increment, when it changed since the model saw it: accepted hunks, the user's typing),
 * every instruction so far, and the partial answer.
 */
export function redirectInput(
  first: EditPromptInput,
  partialOutput: string,
  newInstruction: string,
  currentCode: string = first.code,
): { full: InputMessage[]; incremental: InputMessage[] } {
  const changed = currentCode !== first.code ? currentCode : undefined;
  const incremental = [userMessage(redirectMessage(newInstruction, changed, first.format))];
  const full = [
    userMessage(editPrompt(first)),
    ...(partialOutput ? [assistantMessage(partialOutput)] : []),
    ...incremental,
  ];
  return { full, incremental };
}

export const CONTINUE_MESSAGE =
  'Your answer was cut off by the output limit. Continue it exactly where it stopped, from the very next character: do not repeat anything, no commentary.';

/** Messages asking the model to continue an answer that an output limit cut off (full conversation / increment). */
export function continueInput(
  first: EditPromptInput,
  partialOutput: string,
): { full: InputMessage[]; incremental: InputMessage[] } {
  const incremental = [userMessage(CONTINUE_MESSAGE)];
  return { full: [userMessage(editPrompt(first)), assistantMessage(partialOutput), ...incremental], incremental };
}

/** Extract the fields the demo/scripted server needs from an edit prompt. */
export function parseEditPrompt(text: string): { instruction: string; code: string } | null {
  const m = /<code>\n?([\s\S]*?)\n?<\/code>/.exec(text);
  if (!m) return null;
  const i = /^Instruction: (.*)$/m.exec(text);
  return { instruction: i ? i[1] : '', code: m[1] };
}

/**
 * A whole edit conversation (every user message, oldest first, redirects included): the code is the last complete
 * <code> block; the instructions are the edit prompt's (split at "; then: ") followed by each new direction.
 */
export function parseConversation(text: string): { instruction: string; instructions: string[]; code: string } | null {
  const re = /^<code>\n([\s\S]*?)\n?<\/code>$/gm;
  let m: RegExpExecArray | null;
  let code: string | null = null;
  while ((m = re.exec(text))) code = m[1];
  if (code === null) return null;
  const instructions: string[] = [];
  for (const x of text.matchAll(/^(?:Instruction|Stop\. New direction from the user): (.*)$/gm)) {
    const parts = x[1]
      .split('; then: ')
      .map((s) => s.trim())
      .filter(Boolean);
    // A full resend repeats the instructions so far in its edit prompt: keep each once, in order.
    if (x[0].startsWith('Instruction')) {
      instructions.length = 0;
    }
    instructions.push(...parts);
  }
  return { instruction: instructions.join('; then: '), instructions, code };
}
