/** The webview ⇄ host protocol of the side-panel chat: typed unions, validated on receipt. */
export type ChatMode = 'fast' | 'deep';

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  mode?: ChatMode;
  /** Context attached to a user message (labels only, for display). */
  context?: string[];
  error?: string;
  stopped?: boolean;
}

export type ChipKind = 'file' | 'selection' | 'openEditors' | 'diagnostics';
export interface ContextChip {
  id: ChipKind;
  label: string;
  detail?: string;
}

export type HostToWebview =
  | { type: 'init'; history: ChatMessage[]; chips: ContextChip[]; mode: ChatMode; demo: boolean }
  | { type: 'chips'; chips: ContextChip[] }
  | { type: 'message'; message: ChatMessage }
  | { type: 'delta'; id: string; text: string }
  | { type: 'done'; id: string; error?: string; stopped?: boolean }
  | { type: 'cleared' }
  | { type: 'notice'; text: string; level: 'info' | 'error' }
  /** The models in use (sent after init and whenever a connection changes): the badge shows the selected mode's. */
  | { type: 'models'; fast: ModelBadge; deep: ModelBadge };

/** The chat badge for one mode: the model's short name ("demo model", "gpt-5.1-codex") and a longer title. */
export interface ModelBadge {
  name: string;
  demo: boolean;
  title: string;
}

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'send'; text: string; chips: ChipKind[]; mode: ChatMode }
  | { type: 'redirect'; text: string; chips: ChipKind[]; mode: ChatMode }
  | { type: 'stop' }
  | { type: 'apply'; code: string; language: string; path?: string }
  | { type: 'copy'; code: string }
  | { type: 'insert'; code: string }
  | { type: 'newChat' }
  | { type: 'setMode'; mode: ChatMode };

const CHIPS: readonly string[] = ['file', 'selection', 'openEditors', 'diagnostics'];
const isStr = (v: unknown, max = 200_000): v is string => typeof v === 'string' && v.length <= max;
const isMode = (v: unknown): v is ChatMode => v === 'fast' || v === 'deep';
const isChips = (v: unknown): v is ChipKind[] =>
  Array.isArray(v) && v.length <= 8 && v.every((c) => typeof c === 'string' && CHIPS.includes(c));

/** A message from the webview, checked field by field: anything else is dropped. */
export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'stop':
    case 'newChat':
      return { type: m.type };
    case 'send':
    case 'redirect':
      return isStr(m.text, 100_000) && isChips(m.chips) && isMode(m.mode)
        ? { type: m.type, text: m.text, chips: m.chips, mode: m.mode }
        : undefined;
    case 'apply':
      return isStr(m.code) && isStr(m.language, 100) && (m.path === undefined || isStr(m.path, 1000))
        ? { type: 'apply', code: m.code, language: m.language, path: m.path as string | undefined }
        : undefined;
    case 'copy':
    case 'insert':
      return isStr(m.code) ? { type: m.type, code: m.code } : undefined;
    case 'setMode':
      return isMode(m.mode) ? { type: 'setMode', mode: m.mode } : undefined;
    default:
      return undefined;
  }
}

export const CHAT_INSTRUCTIONS = [
  "You are Spark Edit's assistant inside a code editor. Answer in GitHub-flavoured Markdown, concisely.",
  'Put code in fenced blocks with the language; when a block is meant for a file, add its path: ```ts path=src/app.ts',
  'A block meant to replace a function should contain the whole function, so it can be applied as is.',
].join('\n');

export interface ChatContext {
  kind: ChipKind;
  label: string;
  body: string;
}

export function chatPrompt(question: string, context: ChatContext[]): string {
  const parts = context.map(
    (c) => `<context kind="${c.kind}" label="${c.label.replace(/"/g, "'")}">\n${c.body}\n</context>`,
  );
  parts.push(question.trim());
  return parts.join('\n\n');
}

/** The language and optional `path=` of a fence info string, e.g. "ts path=src/a.ts". */
export function parseFenceInfo(info: string): { language: string; path?: string } {
  const parts = info.trim().split(/\s+/);
  const language = parts[0] && !parts[0].includes('=') ? parts[0] : '';
  const p = /(?:^|\s)(?:path|file)=("?)([^"\s]+)\1/.exec(info);
  return { language, path: p?.[2] };
}
