/**
 * OpenAI Responses API streaming protocol (WebSocket mode and HTTP SSE share these events).
 * See shared/notes/protocols.md. Everything here is plain data: no vscode, no I/O.
 */

export interface InputText {
  type: 'input_text';
  text: string;
}
export interface OutputText {
  type: 'output_text';
  text: string;
}
export interface InputMessage {
  type: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: Array<InputText | OutputText>;
  /** Assistant messages of models that label them keep their label when sent back. */
  phase?: 'commentary' | 'final_answer';
}

/** Client → server: the only event a client sends. Body fields of POST /v1/responses minus stream/background. */
export interface ResponseCreateEvent {
  type: 'response.create';
  model: string;
  instructions?: string;
  input: InputMessage[];
  previous_response_id?: string;
  store?: boolean;
  max_output_tokens?: number;
  prompt_cache_key?: string;
  /** Warm-up (documented in the WebSocket mode guide): returns a response id and no output. */
  generate?: boolean;
}

export type ClientEvent = ResponseCreateEvent | { type: 'response.cancel'; response_id?: string };

export interface ResponseObject {
  id: string;
  object?: 'response';
  status?: 'in_progress' | 'completed' | 'failed' | 'incomplete' | 'cancelled' | 'queued';
  model?: string;
  error?: { code?: string | null; message?: string } | null;
  incomplete_details?: { reason?: string } | null;
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null;
  output?: unknown[];
}

interface Seq {
  sequence_number?: number;
}
export type ServerEvent =
  | ({ type: 'response.created'; response: ResponseObject } & Seq)
  | ({ type: 'response.in_progress'; response: ResponseObject } & Seq)
  | ({
      type: 'response.output_item.added';
      output_index: number;
      item: { id: string; type: string; [k: string]: unknown };
    } & Seq)
  | ({
      type: 'response.content_part.added';
      item_id: string;
      output_index: number;
      content_index: number;
      part: { type: string; text?: string };
    } & Seq)
  | ({
      type: 'response.output_text.delta';
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
    } & Seq)
  | ({
      type: 'response.output_text.done';
      item_id: string;
      output_index: number;
      content_index: number;
      text: string;
    } & Seq)
  | ({
      type: 'response.refusal.delta';
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
    } & Seq)
  | ({
      type: 'response.refusal.done';
      item_id: string;
      output_index: number;
      content_index: number;
      refusal: string;
    } & Seq)
  | ({
      type: 'response.content_part.done';
      item_id: string;
      output_index: number;
      content_index: number;
      part: { type: string; text?: string };
    } & Seq)
  | ({
      type: 'response.output_item.done';
      output_index: number;
      item: { id: string; type: string; [k: string]: unknown };
    } & Seq)
  | ({ type: 'response.completed'; response: ResponseObject } & Seq)
  | ({ type: 'response.failed'; response: ResponseObject } & Seq)
  | ({ type: 'response.incomplete'; response: ResponseObject } & Seq)
  | ({
      type: 'error';
      code?: string | null;
      message?: string;
      param?: string | null;
      error?: { code?: string; message?: string; type?: string };
      status?: number;
    } & Seq);

export type ServerEventType = ServerEvent['type'];

const KNOWN = new Set<string>([
  'response.created',
  'response.in_progress',
  'response.output_item.added',
  'response.content_part.added',
  'response.output_text.delta',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.refusal.delta',
  'response.refusal.done',
  'response.completed',
  'response.failed',
  'response.incomplete',
  'error',
]);

export type ParseResult =
  | { ok: true; event: ServerEvent }
  | { ok: true; event: null; ignoredType: string } // well-formed, but an event type we do not use
  | { ok: false; reason: string };

/**
 * Parse one frame. Never throws. A delta frame is the hot path: we check only what we use.
 */
export function parseServerEvent(raw: string): ParseResult {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { ok: false, reason: `malformed JSON frame (${raw.length} bytes): ${truncate(raw, 80)}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { ok: false, reason: 'frame is not a JSON object' };
  const o = v as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string') return { ok: false, reason: 'frame has no "type"' };
  if (!KNOWN.has(type)) return { ok: true, event: null, ignoredType: type };
  switch (type) {
    case 'response.output_text.delta':
      if (typeof o.delta !== 'string') return { ok: false, reason: 'delta frame without a string "delta"' };
      break;
    case 'response.output_text.done':
      if (typeof o.text !== 'string') return { ok: false, reason: 'output_text.done without "text"' };
      break;
    case 'response.refusal.delta':
      if (typeof o.delta !== 'string') return { ok: false, reason: 'refusal delta without a string "delta"' };
      break;
    case 'response.refusal.done':
      if (typeof o.refusal !== 'string') return { ok: false, reason: 'refusal.done without "refusal"' };
      break;
    case 'response.created':
    case 'response.in_progress':
    case 'response.completed':
    case 'response.failed':
    case 'response.incomplete': {
      const r = o.response as Record<string, unknown> | undefined;
      if (!r || typeof r !== 'object' || typeof r.id !== 'string')
        return { ok: false, reason: `${type} without response.id` };
      break;
    }
  }
  return { ok: true, event: o as unknown as ServerEvent };
}

/** The error code and message of an `error` event, in either documented shape. */
export function errorOf(e: Extract<ServerEvent, { type: 'error' }>): { code: string; message: string } {
  const code = e.code ?? e.error?.code ?? 'unknown_error';
  const message = e.message ?? e.error?.message ?? 'the model server reported an error';
  return { code: String(code), message: String(message) };
}

export function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n) + '…';
}

export function userMessage(text: string): InputMessage {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}
export function assistantMessage(text: string, phase?: 'commentary' | 'final_answer'): InputMessage {
  const m: InputMessage = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] };
  if (phase) m.phase = phase;
  return m;
}
