import { agentFor } from './httpPost';
import { streamJsonSse } from './sseStream';
import { ActiveStream, ModelError, ModelRequest, ModelTransport, StreamHandlers, stopReasonOf } from './types';

export interface AnthropicOptions {
  /** https://api.anthropic.com/v1 */
  baseUrl: string;
  apiKey?: string;
  maxTokens?: number;
  stallTimeoutMs?: number;
}

/** Anthropic Messages over SSE (deep mode's usual choice). */
export class AnthropicTransport implements ModelTransport {
  readonly name = 'anthropic-messages';
  private readonly agent: ReturnType<typeof agentFor>;
  constructor(private readonly o: AnthropicOptions) {
    this.agent = agentFor(o.baseUrl);
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const headers: Record<string, string> = { 'anthropic-version': '2023-06-01' };
    if (this.o.apiKey) headers['x-api-key'] = this.o.apiKey;
    // Anthropic wants alternating user/assistant turns; merge consecutive ones.
    const messages: Array<{ role: 'user' | 'assistant'; content: string }> = [];
    for (const m of req.input) {
      const role = m.role === 'assistant' ? 'assistant' : 'user';
      const content = m.content.map((c) => c.text).join('');
      const last = messages[messages.length - 1];
      if (last && last.role === role) last.content += '\n\n' + content;
      else messages.push({ role, content });
    }
    const body = {
      model: req.model,
      max_tokens: req.maxOutputTokens ?? this.o.maxTokens ?? 8192,
      system: req.instructions,
      messages,
      stream: true,
    };
    let stop: string | undefined;
    let explanation: string | undefined;
    return streamJsonSse({
      name: this.name,
      url: new URL(this.o.baseUrl.replace(/\/+$/, '') + '/messages'),
      body,
      headers,
      agent: this.agent,
      stallMs: this.o.stallTimeoutMs ?? 120_000,
      handlers,
      terminal: 'message_stop',
      onEvent: (data, event, s) => {
        const ev = s.json(data);
        if (ev === undefined) return;
        switch (ev?.type ?? event) {
          case 'content_block_delta':
            if (ev.delta?.type === 'text_delta' && typeof ev.delta.text === 'string') s.emit(ev.delta.text);
            return;
          case 'message_start':
            s.stats.responseId = ev.message?.id;
            return;
          case 'message_delta':
            stop = ev.delta?.stop_reason ?? stop;
            if (typeof ev.delta?.stop_details?.explanation === 'string')
              explanation = ev.delta.stop_details.explanation;
            return;
          case 'message_stop': {
            const r = stopReasonOf(stop ?? 'end_turn');
            s.finish(r.kind === 'refusal' && explanation ? { ...r, message: explanation } : r);
            return;
          }
          case 'error': {
            const t = ev.error?.type;
            const kind = t === 'rate_limit_error' ? 'rate_limit' : t === 'authentication_error' ? 'auth' : 'server';
            s.fail(new ModelError(kind, `The model server said: ${ev.error?.message ?? 'error'}`, t));
            return;
          }
        }
      },
    });
  }

  dispose(): void {
    this.agent.destroy();
  }
}
