import type { InputMessage } from '../protocol/responses';

/** What an edit asks of a model, independent of the wire. */
export interface ModelRequest {
  model: string;
  instructions: string;
  input: InputMessage[];
  /** Continue a previous response (Responses API). When the server has forgotten it, `input` is resent alone. */
  previousResponseId?: string;
  /** Only the newest messages, sent with previousResponseId. Full `input` is used as the fallback. */
  incrementalInput?: InputMessage[];
  maxOutputTokens?: number;
  /** Predicted output (Chat Completions providers). */
  prediction?: string;
  /**
   * Responses WebSocket only: `false` is a warm-up (`generate: false`): no output, just a response id whose
   * input (the prompt's prefix) later requests chain from with previousResponseId.
   */
  generate?: false;
}

/**
 * `stopped`: the model ended its answer before the end of the code (an output limit, a filter, the context
 * window): what arrived is pending, the lines it did not reach are unchanged. `declined`: a refusal or an
 * empty answer: nothing is changed.
 */
export type ModelErrorKind =
  | 'network'
  | 'protocol'
  | 'server'
  | 'auth'
  | 'rate_limit'
  | 'cancelled'
  | 'timeout'
  | 'config'
  | 'stopped'
  | 'declined';

export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface StreamStats {
  /** ms timestamps (performance.now()) */
  startedAt: number;
  sentAt?: number;
  firstTokenAt?: number;
  endedAt?: number;
  outputChars: number;
  deltas: number;
  /** Was the socket already open when the request was made? */
  warm: boolean;
  responseId?: string;
  /** Resent without previous_response_id after previous_response_not_found. */
  resentFullInput?: boolean;
  /** Predicted Outputs (Chat Completions): tokens of the prediction the model accepted / rejected. */
  acceptedPredictionTokens?: number;
  rejectedPredictionTokens?: number;
  /** Which wire carried the response (after a fallback, the fallback's). */
  transport?: string;
  /** The socket failed and the request was completed over HTTP. */
  fellBack?: boolean;
  /** The answer came in an output message labelled `phase: "final_answer"` (resent with that label). */
  answerPhase?: 'final_answer';
}

export interface StreamHandlers {
  onDelta(text: string): void;
  /**
   * Everything streamed so far is void (a fallback's retry produced different text): start over; the
   * deltas that follow are the whole answer.
   */
  onRestart?(): void;
  /** Non-fatal notes worth logging (ignored malformed frame, etc.). */
  onWarning?(message: string): void;
  /**
   * Text the model sent as commentary (a Responses output message with `phase: "commentary"`, a preamble
   * before the final answer): a status to show or log, never part of the edit.
   */
  onCommentary?(text: string): void;
}

/**
 * Why the model stopped, from each wire's own terms. Only `end` is a finished answer:
 *  - `end`: Responses `completed`, Chat `stop`, Anthropic `end_turn` / `stop_sequence`
 *  - `max_tokens`: cut off by an output limit (Responses `incomplete` with `max_output_tokens`, Chat `length`,
 *    Anthropic `max_tokens`): the answer never reached the end of the code
 *  - `refusal`: the model declined (a Responses `refusal` content part, Chat `delta.refusal`, Anthropic
 *    `refusal`); `message` is the model's own words when it gave any
 *  - `context_window`: the prompt and answer did not fit (Anthropic `model_context_window_exceeded`)
 *  - `content_filter`: a provider's filter cut the answer (Responses `content_filter`, Chat `content_filter`)
 *  - `other`: a stop reason an edit cannot use (`tool_calls`, `pause_turn`, an unknown value)
 */
export type StopReason =
  | { kind: 'end' }
  | { kind: 'max_tokens'; raw: string }
  | { kind: 'refusal'; raw: string; message?: string }
  | { kind: 'context_window'; raw: string }
  | { kind: 'content_filter'; raw: string }
  | { kind: 'other'; raw: string };

/** A Responses `incomplete_details.reason`, Chat `finish_reason` or Anthropic `stop_reason` as a StopReason. */
export function stopReasonOf(raw: string | null | undefined): StopReason {
  switch (raw) {
    case undefined:
    case null:
    case '':
    case 'stop':
    case 'end_turn':
    case 'stop_sequence':
    case 'completed':
      return { kind: 'end' };
    case 'max_output_tokens':
    case 'length':
    case 'max_tokens':
      return { kind: 'max_tokens', raw };
    case 'refusal':
      return { kind: 'refusal', raw };
    case 'model_context_window_exceeded':
      return { kind: 'context_window', raw };
    case 'content_filter':
      return { kind: 'content_filter', raw };
    default:
      return { kind: 'other', raw };
  }
}

/** A short, honest description of a stop that is not a finished answer (chat, deep jobs); undefined for `end`. */
export function describeStop(stop: StopReason): string | undefined {
  switch (stop.kind) {
    case 'end':
      return undefined;
    case 'max_tokens':
      return `The model stopped early: its answer reached the output limit (${stop.raw}).`;
    case 'refusal':
      return `The model declined to answer${stop.message?.trim() ? `: "${stop.message.trim().slice(0, 300)}"` : ''}.`;
    case 'context_window':
      return `The model stopped early: the request and its answer do not fit in the model's context window (${stop.raw}).`;
    case 'content_filter':
      return `The model's answer was cut off by the provider's content filter (${stop.raw}).`;
    case 'other':
      return `The model stopped before finishing its answer (${stop.raw}).`;
  }
}

export interface StreamResult {
  text: string;
  responseId?: string;
  stats: StreamStats;
  /** Why the model stopped: anything but `end` means the text is not a finished answer. */
  stop: StopReason;
  /** Commentary the model sent before its final answer (never part of `text`). */
  commentary?: string;
}

export interface ActiveStream {
  readonly done: Promise<StreamResult>;
  readonly stats: StreamStats;
  /** Stop generating. `done` rejects with ModelError('cancelled'). */
  cancel(): void;
}

export type ConnectionState = 'idle' | 'connecting' | 'warm' | 'offline' | 'disposed';

/** A model wire. Every provider (Responses WS, SSE, Anthropic) implements this. */
export interface ModelTransport {
  readonly name: string;
  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream;
  dispose(): void;
}
