/**
 * A loopback model server that speaks the real wire protocols (shared/notes/protocols.md), event for event:
 *  - OpenAI Responses over WebSocket: GET /v1/responses (upgrade), `response.create` → the documented events
 *  - OpenAI Responses over HTTP SSE:  POST /v1/responses {stream:true}
 *  - Chat Completions over SSE:       POST /v1/chat/completions {stream:true}
 * Scripted (which text, at what tokens/s) and fault-injecting (drops, malformed frames, errors, stalls).
 * With no script queued it acts as the demo model: a small deterministic rewrite of the code it is given.
 */
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { parseConversation } from '../core/prompt';
import { demoChat, demoPatch, demoRewrite } from './demo';
import { parseDeepPrompt } from '../core/deep/prompt';

export interface Faults {
  /** Close the connection (WS) / socket (HTTP) after this many output characters. */
  dropAfterChars?: number;
  /** Send a malformed JSON frame after this many output characters. */
  malformedAfterChars?: number;
  /** Send an `error` event instead of a response (e.g. previous_response_not_found, rate_limit_exceeded). */
  errorEvent?: { code: string; message: string };
  /** HTTP transports: answer with this status (401/429/500/503) and optional Retry-After. */
  httpStatus?: number;
  retryAfter?: string;
  /** Accept the request and never answer. */
  neverAnswer?: boolean;
  /** End with response.failed after this many chars. */
  failAfterChars?: number;
  /** End with response.incomplete after this many chars. */
  incompleteAfterChars?: number;
  /** Stop sending (but keep the connection open) after this many chars. */
  stallAfterChars?: number;
  /** After the response completes, send a stray delta frame that belongs to no response. */
  strayFrameAfter?: boolean;
  /** SSE transports: send these raw bytes (e.g. invalid UTF-8) inside a delta's text. */
  rawBytesInDelta?: number[];
}

export interface ScriptStep {
  /** Text to stream; a function gets the parsed prompt. Default: the demo rewrite. */
  text?: string | ((ctx: { instruction: string; code: string; body: any }) => string);
  /** 0 or Infinity: as fast as possible. */
  tokensPerSecond?: number;
  firstTokenDelayMs?: number;
  faults?: Faults;
  /** Only for requests on this transport (others fall through to the next matching step or the demo). */
  transport?: 'ws' | 'http' | 'chat' | 'anthropic';
  /**
   * Pause once this many characters (or the token that crosses it) are sent, until `release()`: a test can
   * look at the editor mid-stream without racing the clock (the connection stays open, nothing is sent).
   */
  holdAfterChars?: number;
}

export interface ReceivedRequest {
  transport: 'ws' | 'http' | 'chat' | 'anthropic';
  headers?: Record<string, string | string[] | undefined>;
  body: any;
  at: number;
  connection?: number;
}

export interface ModelServerOptions {
  port?: number;
  host?: string;
  /** Require `Authorization: Bearer <key>`. */
  apiKey?: string;
  defaultTokensPerSecond?: number;
  /** Serve HTTPS/WSS with this certificate (a real TLS handshake on loopback). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Close WS connections after this long with websocket_connection_limit_reached. */
  connectionLimitMs?: number;
  log?: (m: string) => void;
}

/** Split text into model-like tokens (about 3–4 characters each). Concatenation gives back the text. */
export function tokenize(text: string): string[] {
  return text.match(/ ?[A-Za-z_]{1,5}|\d{1,3}|\s*\n|[ \t]+|[^\sA-Za-z0-9_]{1,2}|[^]/g) ?? [];
}

let idCounter = 0;
const newId = (p: string) => `${p}_${Date.now().toString(36)}${(idCounter++).toString(36)}`;

export class ModelServer {
  readonly requests: ReceivedRequest[] = [];
  private script: ScriptStep[] = [];
  private server: http.Server | https.Server;
  private wss: WebSocketServer;
  private sockets = new Set<WebSocket>();
  private httpSockets = new Set<import('node:net').Socket>();
  connections = 0;
  port = 0;
  constructor(private readonly o: ModelServerOptions = {}) {
    this.server = o.tls
      ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, (req, res) => this.onHttp(req, res))
      : http.createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.server.on(o.tls ? 'secureConnection' : 'connection', (s: import('node:net').Socket) => { s.setNoDelay(true); this.httpSockets.add(s); s.on('close', () => this.httpSockets.delete(s)); });
    this.server.on('upgrade', (req, socket, head) => {
      if (!/\/responses\/?(\?.*)?$/.test(req.url ?? '')) { socket.end('HTTP/1.1 404 Not Found\r\n\r\n'); return; }
      if (!this.authorized(req.headers.authorization)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 62\r\n\r\n{"error":{"code":"invalid_api_key","message":"bad api key."}}');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  get url(): string { return `${this.o.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/v1`; }
  get wsUrl(): string { return `${this.o.tls ? 'wss' : 'ws'}://127.0.0.1:${this.port}/v1/responses`; }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Queue scripted responses, used in order by the next requests. */
  enqueue(...steps: ScriptStep[]): this { this.script.push(...steps); return this; }

  /** Responses over the socket: the earlier conversation a request continues (previous_response_id). */
  private priorText = new WeakMap<object, string>();
  private releases: Array<() => void> = [];
  private released = 0;
  /** How many streams have reached their `holdAfterChars` (and may be waiting for `release()`). */
  held = 0;
  /**
   * Let a stream paused at `holdAfterChars` go on; called before the stream gets there, it will not pause (the
   * test need not know whether the model has reached the hold point yet).
   */
  release(): void {
    if (this.releases.length) for (const r of this.releases.splice(0)) r();
    else this.released++;
  }
  /** Drop the queued steps and let any held stream go on (between tests). */
  clearScript(): void { this.script = []; this.release(); this.released = 0; }
  get pendingSteps(): number { return this.script.length; }

  /** Drop every open WebSocket (a network blip). */
  dropAll(): void { for (const ws of this.sockets) ws.terminate(); }

  async close(): Promise<void> {
    for (const r of this.releases.splice(0)) r();
    for (const ws of this.sockets) ws.terminate();
    for (const s of this.httpSockets) s.destroy();
    this.wss.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private authorized(h: string | undefined): boolean {
    return !this.o.apiKey || h === `Bearer ${this.o.apiKey}`;
  }

  private takeStep(transport: 'ws' | 'http' | 'chat' | 'anthropic'): ScriptStep {
    const i = this.script.findIndex((s) => !s.transport || s.transport === transport);
    if (i < 0) return {};
    return this.script.splice(i, 1)[0];
  }

  private textFor(step: ScriptStep, body: any, promptText: string): string {
    const conv = parseConversation(promptText);
    const parsed = conv ? { instruction: conv.instruction, code: conv.code } : { instruction: promptText, code: '' };
    if (typeof step.text === 'function') return step.text({ ...parsed, body });
    if (typeof step.text === 'string') return step.text;
    // Deep mode's instructions ask for a patch (Responses `instructions`, Anthropic `system`, or a chat system message).
    const deep = JSON.stringify(body).includes('*** Begin Patch') ? parseDeepPrompt(promptText) : null;
    if (deep) return demoPatch(deep.instruction, deep.files);
    if (JSON.stringify(body).includes("Spark Edit's assistant")) {
      const sel = /<context kind="selection" label="([^"]*?)(?::\d+-\d+)?">\n([\s\S]*?)\n<\/context>/.exec(promptText);
      return demoChat(promptText, sel ? { path: sel[1], code: sel[2] } : undefined);
    }
    if (!conv) return demoRewrite(parsed.instruction, parsed.code);
    // Each instruction in turn (a redirect asks for the original instruction and the new direction).
    return conv.instructions.reduce((code, ins) => demoRewrite(ins, code).replace(/\n$/, ''), conv.code) + '\n';
  }

  // ---------------------------------------------------------------- WebSocket (Responses)
  private onSocket(ws: WebSocket) {
    const conn = ++this.connections;
    this.sockets.add(ws);
    let lastResponseId: string | undefined;
    let lastConversation: string | undefined;
    let busy = false;
    const queue: any[] = [];
    let limitTimer: NodeJS.Timeout | undefined;
    if (this.o.connectionLimitMs) {
      limitTimer = setTimeout(() => {
        this.sendJson(ws, { type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'websocket_connection_limit_reached', message: 'Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.' } });
        ws.close(1000);
      }, this.o.connectionLimitMs);
    }
    ws.on('close', () => { this.sockets.delete(ws); clearTimeout(limitTimer); });
    const next = () => {
      if (busy || queue.length === 0 || ws.readyState !== WebSocket.OPEN) return;
      const body = queue.shift();
      busy = true;
      this.requests.push({ transport: 'ws', body, at: Date.now(), connection: conn });
      if (body.previous_response_id && body.previous_response_id !== lastResponseId) {
        this.sendJson(ws, { type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'previous_response_not_found', message: `Previous response with id '${body.previous_response_id}' not found.`, param: 'previous_response_id' } });
        busy = false; next();
        return;
      }
      const step = this.takeStep('ws');
      const emit = (ev: any) => this.sendJson(ws, ev);
      // The conversation so far, as the real server keeps it for the socket's last response.
      const prior = body.previous_response_id ? lastConversation : undefined;
      if (prior) this.priorText.set(body, prior);
      void this.runResponse(body, step, emit, () => ws.readyState === WebSocket.OPEN, () => ws.terminate(), (raw) => ws.send(raw))
        .then((id) => {
          if (id) { lastResponseId = id; lastConversation = (prior ? prior + '\n' : '') + promptTextOf(body); }
          if (step.faults?.strayFrameAfter) this.sendJson(ws, { type: 'response.output_text.delta', item_id: 'msg_stale', output_index: 0, content_index: 0, delta: 'STRAY', sequence_number: 999 });
          busy = false; next();
        });
    };
    ws.on('message', (data) => {
      let body: any;
      try { body = JSON.parse(data.toString()); } catch {
        this.sendJson(ws, { type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'invalid_json', message: 'Could not parse the client event as JSON.' } });
        return;
      }
      if (body?.type !== 'response.create') {
        this.sendJson(ws, { type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'unknown_event', message: `Unknown client event type '${body?.type}'.` } });
        return;
      }
      queue.push(body);
      next();
    });
  }

  private sendJson(ws: WebSocket, ev: unknown) { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(ev)); }

  /**
   * The Responses event sequence for one response. Returns the response id if it completed.
   * `emit` sends one event; `raw` sends a raw frame (fault injection); `kill` drops the connection.
   */
  private async runResponse(body: any, step: ScriptStep, emit: (ev: any) => void, alive: () => boolean, kill: () => void, raw: (s: string) => void): Promise<string | undefined> {
    const f = step.faults ?? {};
    let seq = 0;
    const e = (ev: any) => emit({ ...ev, sequence_number: seq++ });
    if (f.errorEvent) { emit({ type: 'error', status: 400, error: { type: 'invalid_request_error', ...f.errorEvent } }); return undefined; }
    if (f.neverAnswer) return new Promise<undefined>(() => undefined);
    const id = newId('resp');
    const msgId = newId('msg');
    const model = body.model ?? 'spark-demo';
    const base = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model, output: [] as unknown[], error: null, incomplete_details: null, previous_response_id: body.previous_response_id ?? null, store: body.store ?? false };
    e({ type: 'response.created', response: { ...base, status: 'in_progress' } });
    e({ type: 'response.in_progress', response: { ...base, status: 'in_progress' } });
    if (body.generate === false) {
      e({ type: 'response.completed', response: { ...base, status: 'completed', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } } });
      return id;
    }
    const prior = this.priorText.get(body);
    const text = this.textFor(step, body, (prior ? prior + '\n' : '') + promptTextOf(body));
    e({ type: 'response.output_item.added', output_index: 0, item: { id: msgId, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    e({ type: 'response.content_part.added', item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    let sent = '';
    const outcome = await this.pace(text, step, (tok) => {
      if (f.malformedAfterChars !== undefined && sent.length >= f.malformedAfterChars) { raw('{"type":"response.output_text.delta","delta":'); return 'stop'; }
      if (f.dropAfterChars !== undefined && sent.length >= f.dropAfterChars) { kill(); return 'stop'; }
      if (f.stallAfterChars !== undefined && sent.length >= f.stallAfterChars) return 'stall';
      if (f.failAfterChars !== undefined && sent.length >= f.failAfterChars) return 'fail';
      if (f.incompleteAfterChars !== undefined && sent.length >= f.incompleteAfterChars) return 'incomplete';
      e({ type: 'response.output_text.delta', item_id: msgId, output_index: 0, content_index: 0, delta: tok, logprobs: [] });
      sent += tok;
      return 'ok';
    }, alive);
    if (outcome === 'stop' || outcome === 'dead') return undefined;
    if (outcome === 'stall') return new Promise<undefined>(() => undefined);
    const usage = { input_tokens: Math.ceil(promptTextOf(body).length / 4), output_tokens: tokenize(sent).length, total_tokens: 0 };
    if (outcome === 'fail') {
      e({ type: 'response.failed', response: { ...base, status: 'failed', error: { code: 'server_error', message: 'The model failed while generating (injected fault).' } } });
      return undefined;
    }
    const item = { id: msgId, type: 'message', status: outcome === 'incomplete' ? 'incomplete' : 'completed', role: 'assistant', content: [{ type: 'output_text', text: sent, annotations: [] }] };
    e({ type: 'response.output_text.done', item_id: msgId, output_index: 0, content_index: 0, text: sent, logprobs: [] });
    e({ type: 'response.content_part.done', item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: sent, annotations: [] } });
    e({ type: 'response.output_item.done', output_index: 0, item });
    if (outcome === 'incomplete') {
      e({ type: 'response.incomplete', response: { ...base, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [item], usage } });
      return id;
    }
    e({ type: 'response.completed', response: { ...base, status: 'completed', output: [item], usage } });
    return id;
  }

  /** Send tokens at the step's rate. `send` returns what to do next. */
  private async pace(text: string, step: ScriptStep, send: (tok: string) => 'ok' | 'stop' | 'stall' | 'fail' | 'incomplete', alive: () => boolean): Promise<'done' | 'stop' | 'stall' | 'fail' | 'incomplete' | 'dead'> {
    const toks = tokenize(text);
    const rate = step.tokensPerSecond ?? this.o.defaultTokensPerSecond ?? 0;
    if (step.firstTokenDelayMs) await sleep(step.firstTokenDelayMs);
    let t0 = performance.now();
    let i = 0;
    let chars = 0;
    let hold = step.holdAfterChars;
    while (i < toks.length) {
      if (!alive()) return 'dead';
      const due = rate > 0 && Number.isFinite(rate) ? Math.min(toks.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1) : Math.min(toks.length, i + 256);
      while (i < due) {
        if (hold !== undefined && chars >= hold) break;
        const r = send(toks[i]);
        if (r !== 'ok') return r;
        chars += toks[i].length;
        i++;
      }
      if (hold !== undefined && chars >= hold) {
        hold = undefined;
        this.held++;
        if (this.released > 0) this.released--;
        else await new Promise<void>((r) => this.releases.push(r));
        t0 = performance.now() - (rate > 0 && Number.isFinite(rate) ? (i * 1000) / rate : 0); // resume at the same pace
        continue;
      }
      if (i >= toks.length) break;
      if (rate > 0 && Number.isFinite(rate)) {
        const nextAt = t0 + (i * 1000) / rate;
        const wait = nextAt - performance.now();
        if (wait >= 1) await sleep(wait); else await immediate();
      } else await immediate();
    }
    // A fault placed at the very end still fires.
    const r = send('');
    return r === 'ok' ? 'done' : r;
  }

  // ---------------------------------------------------------------- HTTP (Responses SSE, Chat Completions SSE)
  private onHttp(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = req.url ?? '';
    if (req.method === 'GET' && /\/models\/?$/.test(url)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'spark-demo', object: 'model' }] }));
      return;
    }
    const isResponses = req.method === 'POST' && /\/responses\/?$/.test(url);
    const isChat = req.method === 'POST' && /\/chat\/completions\/?$/.test(url);
    const isAnthropic = req.method === 'POST' && /\/messages\/?$/.test(url);
    if (!isResponses && !isChat && !isAnthropic) { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":{"message":"not found"}}'); return; }
    const key = isAnthropic ? (req.headers['x-api-key'] ? `Bearer ${req.headers['x-api-key']}` : undefined) : req.headers.authorization;
    if (isAnthropic && !req.headers['anthropic-version']) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } }));
      return;
    }
    if (!this.authorized(key)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'invalid_api_key', message: 'Incorrect API key provided.', type: 'invalid_request_error' } }));
      return;
    }
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      let body: any;
      try { body = JSON.parse(data); } catch { res.writeHead(400, { 'content-type': 'application/json' }); res.end('{"error":{"message":"invalid JSON body"}}'); return; }
      const transport = isChat ? 'chat' : isAnthropic ? 'anthropic' : 'http';
      this.requests.push({ transport, body, at: Date.now(), headers: req.headers });
      const step = this.takeStep(transport);
      const f = step.faults ?? {};
      if (f.httpStatus) {
        const h: Record<string, string> = { 'content-type': 'application/json' };
        if (f.retryAfter) h['retry-after'] = f.retryAfter;
        res.writeHead(f.httpStatus, h);
        res.end(JSON.stringify({ error: { message: `injected HTTP ${f.httpStatus}`, type: 'server_error', code: String(f.httpStatus) } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const alive = () => !res.destroyed && !res.writableEnded;
      const kill = () => res.destroy();
      if (isChat) void this.runChat(body, step, res, alive, kill);
      else if (isAnthropic) void this.runAnthropic(body, step, res, alive, kill);
      else void this.runResponse(body, step, (ev) => res.write(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`), alive, kill, (raw) => res.write(`data: ${raw}\n\n`)).then(() => { if (alive()) res.end(); });
    });
  }

  private async runChat(body: any, step: ScriptStep, res: http.ServerResponse, alive: () => boolean, kill: () => void) {
    const f = step.faults ?? {};
    if (f.neverAnswer) return;
    const id = newId('chatcmpl');
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'spark-demo';
    const chunk = (delta: any, finish: string | null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    const w = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    const prompt = messagesText(body);
    const text = this.textFor(step, body, prompt);
    w(chunk({ role: 'assistant', content: '' }, null));
    if (f.rawBytesInDelta) {
      // A delta whose text holds raw bytes, split across two socket writes in the middle of the JSON.
      const frame = Buffer.concat([Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"'), Buffer.from(f.rawBytesInDelta), Buffer.from('"}}]}\n\n')]);
      const cut = Math.floor(frame.length / 2) + 1;
      res.write(frame.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 5));
      res.write(frame.subarray(cut));
    }
    let sent = '';
    const outcome = await this.pace(text, step, (tok) => {
      if (f.malformedAfterChars !== undefined && sent.length >= f.malformedAfterChars) { res.write('data: {"choices":[{"delta":\n\n'); return 'stop'; }
      if (f.dropAfterChars !== undefined && sent.length >= f.dropAfterChars) { kill(); return 'stop'; }
      if (f.stallAfterChars !== undefined && sent.length >= f.stallAfterChars) return 'stall';
      if (tok) { w(chunk({ content: tok }, null)); sent += tok; }
      return 'ok';
    }, alive);
    if (outcome !== 'done') { if (outcome === 'stop' && alive()) res.end(); return; }
    w(chunk({}, 'stop'));
    if (body.stream_options?.include_usage) {
      const pred = typeof body.prediction?.content === 'string' ? body.prediction.content : undefined;
      const completion = tokenize(sent).length;
      const accepted = pred ? tokenize(sent).filter((t) => pred.includes(t)).length : 0;
      w({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: {
        prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: completion, total_tokens: Math.ceil(prompt.length / 4) + completion,
        completion_tokens_details: { accepted_prediction_tokens: accepted, rejected_prediction_tokens: pred ? completion - accepted : 0 },
      } });
    }
    res.write('data: [DONE]\n\n');
    res.end();
  }

  /** Anthropic Messages streaming: message_start, content_block_start, ping, content_block_delta…, stops. */
  private async runAnthropic(body: any, step: ScriptStep, res: http.ServerResponse, alive: () => boolean, kill: () => void) {
    const f = step.faults ?? {};
    if (f.neverAnswer) return;
    const ev = (type: string, o: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`);
    const prompt = [typeof body.system === 'string' ? body.system : '', messagesText(body)].join('\n');
    const text = this.textFor(step, body, prompt);
    const id = newId('msg');
    ev('message_start', { message: { id, type: 'message', role: 'assistant', model: body.model ?? 'spark-demo', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: Math.ceil(prompt.length / 4), output_tokens: 1 } } });
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    ev('ping', {});
    let sent = '';
    const outcome = await this.pace(text, step, (tok) => {
      if (f.malformedAfterChars !== undefined && sent.length >= f.malformedAfterChars) { res.write('event: content_block_delta\ndata: {"type":"content_block_delta",\n\n'); return 'stop'; }
      if (f.dropAfterChars !== undefined && sent.length >= f.dropAfterChars) { kill(); return 'stop'; }
      if (f.stallAfterChars !== undefined && sent.length >= f.stallAfterChars) return 'stall';
      if (f.failAfterChars !== undefined && sent.length >= f.failAfterChars) { ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }); return 'stop'; }
      if (tok) { ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: tok } }); sent += tok; }
      return 'ok';
    }, alive);
    if (outcome !== 'done') { if (outcome === 'stop' && alive()) res.end(); return; }
    ev('content_block_stop', { index: 0 });
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: tokenize(sent).length } });
    ev('message_stop', {});
    res.end();
  }
}

function messagesText(body: any): string {
  return (body.messages ?? []).map((m: any) => typeof m.content === 'string' ? m.content : (m.content ?? []).map((c: any) => c.text ?? '').join('')).join('\n');
}

function promptTextOf(body: any): string {
  const input = body?.input;
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  // Every user message, oldest first: the edit prompt with the code, then any redirects (parseConversation).
  const texts = input.filter((m: any) => m?.role === 'user').map((m: any) => (m.content ?? []).map((c: any) => c?.text ?? '').join(''));
  return texts.join('\n');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const immediate = () => new Promise<void>((r) => setImmediate(r));
