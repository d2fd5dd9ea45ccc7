/**
 * The chat webview. Model output is data: Markdown is rendered by markdown-it with raw HTML off, then run
 * through DOMPurify; the CSP (set by the host) forbids inline scripts, inline handlers and remote loads.
 * Streaming re-renders only the growing message, at most once per animation frame.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import type {
  ChatMessage,
  ChatMode,
  ChipKind,
  ContextChip,
  HostToWebview,
  ModelBadge,
  WebviewToHost,
} from '../core/chat/protocol';
import { parseFenceInfo } from '../core/chat/protocol';

declare function acquireVsCodeApi(): {
  postMessage(m: WebviewToHost): void;
  setState(s: unknown): void;
  getState(): unknown;
};
const vscode = acquireVsCodeApi();
const send = (m: WebviewToHost) => vscode.postMessage(m);

interface CodeBlock {
  code: string;
  language: string;
  path?: string;
}
const blocks = new Map<string, CodeBlock[]>();

const md = new MarkdownIt({ html: false, linkify: true, breaks: false });
md.renderer.rules.fence = (tokens, idx, _opts, env): string => {
  const id = String((env as { id?: string } | undefined)?.id ?? '');
  const t = tokens[idx];
  const { language, path } = parseFenceInfo(t.info);
  const list = blocks.get(id) ?? [];
  const n = list.length;
  list.push({ code: t.content, language, path });
  blocks.set(id, list);
  let html: string;
  try {
    html =
      language && hljs.getLanguage(language)
        ? hljs.highlight(t.content, { language, ignoreIllegals: true }).value
        : md.utils.escapeHtml(t.content);
  } catch {
    html = md.utils.escapeHtml(t.content);
  }
  const label = md.utils.escapeHtml(path ?? language ?? '');
  return (
    `<div class="code-block" data-block="${n}"><div class="code-bar"><span class="code-label">${label}</span>` +
    `<button data-action="apply" title="Preview this code as an inline diff in the editor">Apply</button>` +
    `<button data-action="copy" title="Copy">Copy</button><button data-action="insert" title="Insert at the cursor">Insert</button></div>` +
    `<pre><code class="hljs">${html}</code></pre></div>`
  );
};

function renderMarkdown(id: string, text: string): string {
  blocks.set(id, []);
  const raw = md.render(text, { id });
  return DOMPurify.sanitize(raw, {
    ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
    FORBID_TAGS: ['style', 'form', 'input', 'img', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}

// ---- DOM -------------------------------------------------------------------------------------------
const root = document.getElementById('spark-chat')!;
root.innerHTML = `
<div class="toolbar">
  <label>Model <select id="mode"><option value="fast">Fast</option><option value="deep">Deep</option></select></label>
  <span id="model" class="model-badge" hidden></span>
  <button id="new" title="Start a new chat">New chat</button>
</div>
<div id="messages" class="messages" aria-live="polite"></div>
<div id="notice" class="notice" hidden></div>
<div class="composer">
  <div id="chips" class="chips"></div>
  <textarea id="input" rows="3" placeholder="Ask about your code… (Enter to send, Shift+Enter for a new line)"></textarea>
  <div class="actions">
    <button id="send" class="primary">Send</button>
    <button id="stop" hidden>Stop</button>
    <button id="redirect" hidden title="Stop and send this message instead">Redirect</button>
  </div>
</div>`;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const messagesEl = $<HTMLDivElement>('messages');
const input = $<HTMLTextAreaElement>('input');
const modeEl = $<HTMLSelectElement>('mode');
const chipsEl = $<HTMLDivElement>('chips');
const noticeEl = $<HTMLDivElement>('notice');

let streamingId: string | null = null;
let chips: ContextChip[] = [];
/** The model of each mode, as the host last said (the badge shows the selected mode's). */
let models: { fast: ModelBadge; deep: ModelBadge } | undefined;
function renderModel() {
  const el = $('model');
  const b = models?.[modeEl.value as ChatMode];
  el.hidden = !b;
  if (!b) return;
  el.textContent = b.name;
  el.title = b.title;
  el.classList.toggle('demo', b.demo);
}
const removed = new Set<string>(); // chip id|label the user removed
const texts = new Map<string, string>();
const dirty = new Set<string>();
let frame = 0;

function setStreaming(id: string | null) {
  streamingId = id;
  $('send').hidden = !!id;
  $('stop').hidden = !id;
  $('redirect').hidden = !id;
}

function messageEl(m: ChatMessage): HTMLElement {
  let el = document.querySelector<HTMLElement>(`[data-id="${CSS.escape(m.id)}"]`);
  if (!el) {
    el = document.createElement('div');
    el.className = `msg ${m.role}`;
    el.dataset.id = m.id;
    const body = document.createElement('div');
    body.className = 'body';
    el.appendChild(body);
    if (m.role === 'user' && m.context?.length) {
      const c = document.createElement('div');
      c.className = 'ctx';
      c.textContent = m.context.join(' · ');
      el.appendChild(c);
    }
    emptyEl.remove();
    messagesEl.appendChild(el);
  }
  return el;
}

function render(id: string, role: ChatMessage['role']) {
  const el = document.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
  if (!el) return;
  const body = el.querySelector<HTMLElement>('.body')!;
  const text = texts.get(id) ?? '';
  if (role === 'user') body.textContent = text;
  else body.innerHTML = text ? renderMarkdown(id, text) : '<span class="typing">…</span>';
}

function scheduleRender(id: string) {
  dirty.add(id);
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const stick = messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 40;
    for (const d of dirty) render(d, 'assistant');
    dirty.clear();
    if (stick) messagesEl.scrollTop = messagesEl.scrollHeight;
  });
}

function addMessage(m: ChatMessage) {
  texts.set(m.id, m.text);
  const el = messageEl(m);
  render(m.id, m.role);
  if (m.error) el.classList.add('error');
  if (m.stopped) el.classList.add('stopped');
  messagesEl.scrollTop = messagesEl.scrollHeight;
}

function renderChips() {
  chipsEl.replaceChildren();
  for (const c of chips) {
    if (removed.has(`${c.id}|${c.label}`)) continue;
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.dataset.chip = c.id;
    chip.title = c.detail ?? c.label;
    const label = document.createElement('span');
    label.textContent = c.label;
    const x = document.createElement('button');
    x.className = 'chip-x';
    x.textContent = '×';
    x.title = 'Remove from the context';
    x.addEventListener('click', () => {
      removed.add(`${c.id}|${c.label}`);
      renderChips();
    });
    chip.append(label, x);
    chipsEl.appendChild(chip);
  }
}

// ---- empty state: what the chat is for, with examples that send themselves when clicked ----------------
const EXAMPLES = [
  'Explain the selected code',
  'What could go wrong in this function?',
  'Add doc comments to the selection',
  'Write a test for the selected function',
];
const emptyEl = document.createElement('div');
emptyEl.className = 'empty';
emptyEl.id = 'empty';
emptyEl.innerHTML = `<p class="empty-title">Ask about your code</p>
<p>Select code in the editor first: it comes along as a chip below, and answers with code have <b>Apply</b> (an inline diff you review), <b>Copy</b> and <b>Insert</b>.</p>
<p>Try one:</p><div class="examples"></div>
<p class="empty-hint">To edit code directly, select it and press <kbd>Ctrl+I</kbd>.</p>`;
for (const ex of EXAMPLES) {
  const b = document.createElement('button');
  b.className = 'example';
  b.dataset.example = ex;
  b.textContent = ex;
  b.addEventListener('click', () => {
    input.value = ex;
    submit('send');
  });
  emptyEl.querySelector('.examples')!.appendChild(b);
}
function showEmpty() {
  if (!messagesEl.querySelector('.msg')) messagesEl.appendChild(emptyEl);
}
showEmpty();

function activeChips(): ChipKind[] {
  return chips.filter((c) => !removed.has(`${c.id}|${c.label}`)).map((c) => c.id);
}

function notice(text: string, level: 'info' | 'error') {
  noticeEl.textContent = text;
  noticeEl.className = `notice ${level}`;
  noticeEl.hidden = false;
  setTimeout(() => {
    if (noticeEl.textContent === text) noticeEl.hidden = true;
  }, 6000);
}

function submit(kind: 'send' | 'redirect') {
  const text = input.value.trim();
  if (!text) return;
  send({ type: kind, text, chips: activeChips(), mode: modeEl.value as ChatMode });
  input.value = '';
}

$('send').addEventListener('click', () => submit('send'));
$('redirect').addEventListener('click', () => submit('redirect'));
$('stop').addEventListener('click', () => send({ type: 'stop' }));
$('new').addEventListener('click', () => send({ type: 'newChat' }));
modeEl.addEventListener('change', () => {
  renderModel();
  send({ type: 'setMode', mode: modeEl.value as ChatMode });
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit(streamingId ? 'redirect' : 'send');
  }
  if (e.key === 'Escape' && streamingId) {
    e.preventDefault();
    send({ type: 'stop' });
  }
});
messagesEl.addEventListener('click', (e) => {
  const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
  if (!btn) return;
  const msg = btn.closest<HTMLElement>('[data-id]')?.dataset.id;
  const n = Number(btn.closest<HTMLElement>('[data-block]')?.dataset.block);
  const b = msg !== undefined ? blocks.get(msg)?.[n] : undefined;
  if (!b) return;
  const action = btn.dataset.action;
  if (action === 'apply') send({ type: 'apply', code: b.code, language: b.language, path: b.path });
  else if (action === 'copy') send({ type: 'copy', code: b.code });
  else if (action === 'insert') send({ type: 'insert', code: b.code });
});

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'init':
      messagesEl.replaceChildren();
      texts.clear();
      blocks.clear();
      for (const h of m.history) addMessage(h);
      showEmpty();
      chips = m.chips;
      renderChips();
      modeEl.value = m.mode;
      renderModel();
      break;
    case 'models':
      models = { fast: m.fast, deep: m.deep };
      renderModel();
      break;
    case 'chips':
      chips = m.chips;
      renderChips();
      break;
    case 'message':
      addMessage(m.message);
      if (m.message.role === 'assistant') setStreaming(m.message.id);
      break;
    case 'delta':
      texts.set(m.id, (texts.get(m.id) ?? '') + m.text);
      scheduleRender(m.id);
      break;
    case 'done': {
      if (m.error === 'restarted') {
        texts.set(m.id, '');
        scheduleRender(m.id);
        break;
      }
      if (streamingId === m.id) setStreaming(null);
      const el = document.querySelector<HTMLElement>(`[data-id="${CSS.escape(m.id)}"]`);
      render(m.id, 'assistant');
      if (el && m.error) {
        el.classList.add('error');
        const err = document.createElement('div');
        err.className = 'err';
        err.textContent = m.error;
        el.appendChild(err);
      }
      if (el && m.stopped) el.classList.add('stopped');
      break;
    }
    case 'cleared':
      messagesEl.replaceChildren();
      texts.clear();
      blocks.clear();
      setStreaming(null);
      showEmpty();
      break;
    case 'notice':
      notice(m.text, m.level);
      break;
  }
});

send({ type: 'ready' });
