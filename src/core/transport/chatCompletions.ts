import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { InputMessage } from '../protocol/responses';
import { postSse } from './responsesHttp';
import { ActiveStream, ModelError, ModelRequest, ModelTransport, StreamHandlers, StreamResult, StreamStats } from './types';

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
    ...req.input.map((m: InputMessage) => ({ role: m.role === 'developer' ? 'system' : m.role, content: m.content.map((c) => c.text).join('') })),
  ];
  const body: Record<string, unknown> = { model: req.model, messages, stream: true, stream_options: { include_usage: true } };
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
  private readonly agent: http.Agent | https.Agent;
  constructor(private readonly o: ChatCompletionsOptions) {
    const A = o.baseUrl.startsWith('https:') ? https.Agent : http.Agent;
    this.agent = new A({ keepAlive: true, maxSockets: 8 });
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const stats: StreamStats = { startedAt: performance.now(), outputChars: 0, deltas: 0, warm: false, transport: this.name };
    const url = new URL(this.o.baseUrl.replace(/\/+$/, '') + '/chat/completions');
    const headers: Record<string, string> = {};
    if (this.o.apiKey) headers.authorization = `Bearer ${this.o.apiKey}`;
    let text = '';
    let finished = false;
    let failure: ModelError | undefined;
    const sse = postSse(url, chatBody(req, !!this.o.predictions), headers, this.agent, this.o.ca, (data) => {
      if (failure) return;
      if (data === '[DONE]') { finished = true; return; }
      let chunk: any;
      try { chunk = JSON.parse(data); } catch {
        failure = new ModelError('protocol', `The model server sent a bad frame: malformed JSON (${data.length} bytes)`);
        sse.abort();
        return;
      }
      if (chunk?.error) { failure = new ModelError('server', `The model server said: ${chunk.error.message ?? 'error'}`, chunk.error.code); sse.abort(); return; }
      const d = chunk?.choices?.[0]?.delta?.content;
      if (typeof d === 'string' && d.length) {
        if (stats.firstTokenAt === undefined) stats.firstTokenAt = performance.now();
        text += d; stats.deltas++; stats.outputChars += d.length;
        handlers.onDelta(d);
      }
      const u = chunk?.usage?.completion_tokens_details;
      if (u) { stats.acceptedPredictionTokens = u.accepted_prediction_tokens; stats.rejectedPredictionTokens = u.rejected_prediction_tokens; }
    }, this.o.stallTimeoutMs ?? 60_000);
    const done = (async (): Promise<StreamResult> => {
      try { await sse.done; } catch (e) { if (!failure) failure = e instanceof ModelError ? e : new ModelError('network', String(e)); }
      stats.sentAt = sse.sentAt();
      stats.endedAt = performance.now();
      if (failure) throw failure;
      if (!finished) throw new ModelError('network', 'The stream ended before [DONE].');
      return { text, stats, status: 'completed' };
    })();
    done.catch(() => undefined);
    return { done, stats, cancel: () => { failure ??= new ModelError('cancelled', 'cancelled'); sse.abort(); } };
  }

  dispose(): void { this.agent.destroy(); }
}
