import https from 'node:https';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { postSse } from './responsesHttp';
import { ActiveStream, ModelError, ModelRequest, ModelTransport, StreamHandlers, StreamResult, StreamStats } from './types';

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
  private readonly agent: http.Agent | https.Agent;
  constructor(private readonly o: AnthropicOptions) {
    const A = o.baseUrl.startsWith('https:') ? https.Agent : http.Agent;
    this.agent = new A({ keepAlive: true, maxSockets: 8 });
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const stats: StreamStats = { startedAt: performance.now(), outputChars: 0, deltas: 0, warm: false, transport: this.name };
    const url = new URL(this.o.baseUrl.replace(/\/+$/, '') + '/messages');
    const headers: Record<string, string> = { 'anthropic-version': '2023-06-01' };
    if (this.o.apiKey) headers['x-api-key'] = this.o.apiKey;
    // Anthropic wants alternating user/assistant turns; merge consecutive ones.
    const messages: Array<{ role: 'user' | 'assistant'; content: string }> = [];
    for (const m of req.input) {
      const role = m.role === 'assistant' ? 'assistant' : 'user';
      const content = m.content.map((c) => c.text).join('');
      const last = messages[messages.length - 1];
      if (last && last.role === role) last.content += '\n\n' + content; else messages.push({ role, content });
    }
    const body = { model: req.model, max_tokens: req.maxOutputTokens ?? this.o.maxTokens ?? 8192, system: req.instructions, messages, stream: true };
    let text = '';
    let stop: string | undefined;
    let stopped = false;
    let failure: ModelError | undefined;
    const sse = postSse(url, body, headers, this.agent, undefined, (data, event) => {
      if (failure) return;
      let ev: any;
      try { ev = JSON.parse(data); } catch {
        failure = new ModelError('protocol', `The model server sent a bad frame: malformed JSON (${data.length} bytes)`);
        sse.abort();
        return;
      }
      const type = ev?.type ?? event;
      if (type === 'content_block_delta' && ev.delta?.type === 'text_delta' && typeof ev.delta.text === 'string') {
        const d: string = ev.delta.text;
        if (!d) return;
        if (stats.firstTokenAt === undefined) stats.firstTokenAt = performance.now();
        text += d; stats.deltas++; stats.outputChars += d.length;
        handlers.onDelta(d);
      } else if (type === 'message_start') {
        stats.responseId = ev.message?.id;
      } else if (type === 'message_delta') {
        stop = ev.delta?.stop_reason ?? stop;
      } else if (type === 'message_stop') {
        stopped = true;
      } else if (type === 'error') {
        const kind = ev.error?.type === 'overloaded_error' || ev.error?.type === 'api_error' ? 'server' : ev.error?.type === 'rate_limit_error' ? 'rate_limit' : ev.error?.type === 'authentication_error' ? 'auth' : 'server';
        failure = new ModelError(kind, `The model server said: ${ev.error?.message ?? 'error'}`, ev.error?.type);
        sse.abort();
      }
    }, this.o.stallTimeoutMs ?? 120_000);
    const done = (async (): Promise<StreamResult> => {
      try { await sse.done; } catch (e) { if (!failure) failure = e instanceof ModelError ? e : new ModelError('network', String(e)); }
      stats.sentAt = sse.sentAt();
      stats.endedAt = performance.now();
      if (failure) throw failure;
      if (!stopped) throw new ModelError('network', 'The stream ended before message_stop.');
      return { text, responseId: stats.responseId, stats, status: stop === 'max_tokens' ? 'incomplete' : 'completed' };
    })();
    done.catch(() => undefined);
    return { done, stats, cancel: () => { failure ??= new ModelError('cancelled', 'cancelled'); sse.abort(); } };
  }

  dispose(): void { this.agent.destroy(); }
}
