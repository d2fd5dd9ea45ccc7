export const DEEP_INSTRUCTIONS = [
  "You are Spark Edit's deep mode: you make careful edits across one or more files of a code base.",
  'Answer with a single patch and nothing else, in exactly this format:',
  '*** Begin Patch',
  '*** Update File: <path as given>',
  '@@',
  ' <unchanged context line>',
  '-<removed line>',
  '+<added line>',
  '*** Add File: <path>',
  '+<line of the new file>',
  '*** End Patch',
  'Every hunk starts with @@ and carries 2-3 unchanged context lines around the change, copied exactly,',
  'so it can be located. Use the file paths exactly as given. Do not use line numbers.',
].join('\n');

export interface DeepFile {
  path: string;
  text: string;
}

export function deepPrompt(
  instruction: string,
  files: DeepFile[],
  focus?: { path: string; startLine: number; endLine: number },
): string {
  const parts = [`Instruction: ${instruction.trim()}`];
  if (focus) parts.push(`The user is looking at ${focus.path}, lines ${focus.startLine + 1}-${focus.endLine + 1}.`);
  for (const f of files) parts.push(`<file path="${f.path}">\n${f.text}\n</file>`);
  parts.push('Reply with the patch only.');
  return parts.join('\n\n');
}

export function parseDeepPrompt(text: string): { instruction: string; files: DeepFile[] } | null {
  const files: DeepFile[] = [];
  const re = /<file path="([^"]+)">\n([\s\S]*?)\n<\/file>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) files.push({ path: m[1], text: m[2] });
  if (!files.length) return null;
  const i = /^Instruction: (.*)$/m.exec(text);
  return { instruction: i ? i[1] : '', files };
}
