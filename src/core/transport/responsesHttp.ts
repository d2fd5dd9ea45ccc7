import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { parseServerEvent } from '../protocol/responses';
import { applyResponseEvent, responseCreateBody } from './responseEvents';
import { agentFor, postSse } from './httpPost';
import {
  ActiveStream,
  ModelError,
  ModelRequest,
  ModelTransport,
  StreamHandlers,
  StreamResult,
  StreamStats,
} from './types';

export interface HttpTransportOptions {
  /** Base URL, e.g. https://api.openai.com/v1 */
  baseUrl: string;
  apiKey?: string;
  /** Reuse connections (HTTP keep-alive). Off: a new TCP (and TLS) connection per request. */
  keepAlive?: boolean;
  /** Extra TLS trust (a self-signed loopback certificate in the benchmark). */
  ca?: string | Buffer;
  stallTimeoutMs?: number;
}

/** OpenAI Responses over HTTP streaming (SSE): the fallback for the warm socket, same event parser. */
export class ResponsesHttpTransport implements ModelTransport {
  readonly name = 'openai-responses-http';
  private readonly agent: http.Agent | https.Agent;
  constructor(private readonly o: HttpTransportOptions) {
    this.agent = agentFor(o.baseUrl, o.keepAlive ?? true);
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const stats: StreamStats = { startedAt: performance.now(), outputChars: 0, deltas: 0, warm: false };
    const url = new URL(this.o.baseUrl.replace(/\/+$/, '') + '/responses');
    const headers: Record<string, string> = {};
    if (this.o.apiKey) headers.authorization = `Bearer ${this.o.apiKey}`;
    let current: ReturnType<typeof postSse> | undefined;
    let cancelled = false;
    const run = async (): Promise<StreamResult> => {
      // Over HTTP a `store: false` response id is unknown (HTTP 400 previous_response_not_found): the
      // conversation is always sent in full here (the socket's connection cache is what makes ids work there).
      let incremental = false;
      for (let attempt = 0; attempt < 2; attempt++) {
        const st = { text: '', stats, canResendFull: incremental };
        let outcome: StreamResult | ModelError | 'resend' | undefined;
        const { type: _t, ...body } = responseCreateBody(req, incremental);
        current = postSse(
          url,
          { ...body, stream: true },
          headers,
          this.agent,
          this.o.ca,
          (data) => {
            if (outcome) return;
            const p = parseServerEvent(data);
            if (!p.ok) {
              outcome = new ModelError('protocol', `The model server sent a bad frame: ${p.reason}`);
              current?.abort();
              return;
            }
            if (!p.event) return;
            const o = applyResponseEvent(st, p.event, handlers);
            if (o.kind === 'done') outcome = o.result;
            else if (o.kind === 'error' || o.kind === 'connection-limit') outcome = o.error;
            else if (o.kind === 'resend-full') outcome = 'resend';
          },
          this.o.stallTimeoutMs ?? 60_000,
        );
        try {
          await current.done;
        } catch (e) {
          if (!outcome)
            outcome = cancelled
              ? new ModelError('cancelled', 'cancelled')
              : e instanceof ModelError
                ? e
                : new ModelError('network', String(e));
        }
        stats.sentAt ??= current.sentAt();
        if (outcome === 'resend') {
          incremental = false;
          stats.resentFullInput = true;
          continue;
        }
        if (outcome instanceof ModelError) throw outcome;
        if (!outcome) throw new ModelError('network', 'The stream ended before response.completed.');
        return outcome;
      }
      throw new ModelError('server', 'previous_response_not_found twice');
    };
    const done = run().finally(() => {
      stats.endedAt = performance.now();
    });
    done.catch(() => undefined);
    return {
      done,
      stats,
      cancel: () => {
        cancelled = true;
        current?.abort();
      },
    };
  }

  dispose(): void {
    this.agent.destroy();
  }
}
