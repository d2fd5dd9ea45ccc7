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
}

export type ModelErrorKind = 'network' | 'protocol' | 'server' | 'auth' | 'rate_limit' | 'cancelled' | 'timeout' | 'config';

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
}

export interface StreamResult {
  text: string;
  responseId?: string;
  stats: StreamStats;
  status: 'completed' | 'incomplete';
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
