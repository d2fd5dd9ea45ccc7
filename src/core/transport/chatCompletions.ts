import { InputMessage } from '../protocol/responses';
import { agentFor } from './httpPost';
import { streamJsonSse } from './sseStream';
import {
  ActiveStream,
  ModelError,
  ModelRequest,
  ModelTransport,
  StopReason,
  StreamHandlers,
  stopReasonOf,
} from './types';

export interface ChatCompletionsOptions {
  /** e.g. https://api.cerebras.ai/v1, http://localhost:11434/v1 */
  baseUrl: string;
  apiKey?: string;
  /** Send Predicted Outputs (`prediction`) when the request has one. */
  predictions?: boolean;
  ca?: string | Buffer;
  stallTimeoutMs?: number;
}

/** The Chat Completions request body; Predicted Outputs forbid some parameters, so none of them is ever sent with one. */
export function chatBody(req: ModelRequest, predictions: boolean): Record<string, unknown> {
  const messages = [
    { role: 'system', content: req.instructions },
    ...req.input.map((m: InputMessage) => ({
      role: m.role === 'developer' ? 'system' : m.role,
      content: m.content.map((c) => c.text).join(''),
    })),
  ];
  const body: Record<string, unknown> = {
    model: req.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (predictions && req.prediction) {
    body.prediction = { type: 'content', content: req.prediction };
    // Not allowed with a prediction: n>1, logprobs, presence/frequency penalties, max_completion_tokens, tools.
    if (req.maxOutputTokens) body.max_tokens = req.maxOutputTokens;
  } else if (req.maxOutputTokens) {
    body.max_completion_tokens = req.maxOutputTokens;
  }
  return body;
}

/** OpenAI-compatible Chat Completions over SSE: OpenAI, Cerebras, Groq, Ollama /v1, llama.cpp, vLLM, LM Studio. */
export class ChatCompletionsTransport implements ModelTransport {
  readonly name = 'chat-completions';
  private readonly agent: ReturnType<typeof agentFor>;
  constructor(private readonly o: ChatCompletionsOptions) {
    this.agent = agentFor(o.baseUrl);
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const headers: Record<string, string> = {};
    if (this.o.apiKey) headers.authorization = `Bearer ${this.o.apiKey}`;
    let stop: StopReason | undefined;
    let refusal: string | undefined;
    return streamJsonSse({
      name: this.name,
      url: new URL(this.o.baseUrl.replace(/\/+$/, '') + '/chat/completions'),
      body: chatBody(req, !!this.o.predictions),
      headers,
      agent: this.agent,
      ca: this.o.ca,
      stallMs: this.o.stallTimeoutMs ?? 60_000,
      handlers,
      terminal: 'a finish_reason',
      onEvent: (data, _event, s) => {
        // [DONE] ends the stream; so does a clean end after the finish_reason (the official SDK accepts a
        // stream without [DONE]). A stream that ends before any finish_reason was cut off: an error.
        if (data === '[DONE]') {
          s.finish(stop ?? { kind: 'end' });
          return;
        }
        const chunk = s.json(data);
        if (chunk === undefined) return;
        if (chunk?.error) {
          s.fail(
            new ModelError('server', `The model server said: ${chunk.error.message ?? 'error'}`, chunk.error.code),
          );
          return;
        }
        const choice = chunk?.choices?.[0];
        const d = choice?.delta?.content;
        if (typeof d === 'string') s.emit(d);
        if (typeof choice?.delta?.refusal === 'string') refusal = (refusal ?? '') + choice.delta.refusal;
        if (typeof choice?.finish_reason === 'string') {
          stop =
            refusal !== undefined
              ? { kind: 'refusal', raw: 'refusal', message: refusal }
              : stopReasonOf(choice.finish_reason);
          s.finish(stop);
        }
        const u = chunk?.usage?.completion_tokens_details;
        if (u) {
          s.stats.acceptedPredictionTokens = u.accepted_prediction_tokens;
          s.stats.rejectedPredictionTokens = u.rejected_prediction_tokens;
        }
      },
    });
  }

  dispose(): void {
    this.agent.destroy();
  }
}
