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
import { SseParser } from '../core/protocol/sse';
import { NEXT_EDIT_MARK } from '../core/nextEdit/prompt';
import { TARGETED_MARKER } from '../core/targeted/prompt';
/** The demo model, loaded when it first answers (the extension's bundle keeps it in a file of its own, dist/demo.js). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const demo = (): typeof import('./demo') => require('./demo');

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
  /**
   * Cut the answer off after this many chars with each wire's own "output limit" stop: Responses
   * `response.incomplete` (max_output_tokens), Chat `finish_reason: "length"`, Anthropic `stop_reason: "max_tokens"`.
   */
  truncateAfterChars?: number;
  /** Same as truncateAfterChars (the older name). */
  incompleteAfterChars?: number;
  /** response.failed's error (default: server_error), e.g. { code: 'rate_limit_exceeded', … }. */
  failWith?: { code: string; message: string };
  /** Chat Completions: end the stream cleanly after the finish_reason (and usage) without `data: [DONE]`. */
  noDone?: boolean;
  /** SSE transports: end the HTTP response cleanly after this many chars, with no stop reason at all. */
  endAfterChars?: number;
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
  /**
   * The model declines: Responses sends this as a `refusal` content part (no output text), Chat as
   * `delta.refusal`, Anthropic streams `text` (if given) and stops with `stop_reason: "refusal"` and this as
   * the explanation.
   */
  refusal?: string;
  /** Responses: an output message with `phase: "commentary"` (this text) before the `final_answer` message. */
  commentary?: string;
  /**
   * The wire's own stop reason at the end of the text: Responses `incomplete_details.reason` (the response ends
   * `incomplete`), Chat `finish_reason`, Anthropic `stop_reason` (e.g. model_context_window_exceeded).
   */
  stopReason?: string;
  /** Only for requests on this transport (others fall through to the next matching step or the demo). */
  transport?: 'ws' | 'http' | 'chat' | 'anthropic';
  /**
   * Pause once this many characters (or the token that crosses it) are sent, until `release()`: a test can
   * look at the editor mid-stream without racing the clock (the connection stays open, nothing is sent).
   * Several: it pauses at each in turn, one `release()` each.
   */
  holdAfterChars?: number | number[];
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
  /** Tokens per second of steps that name no rate (the demo model's speed); may change while the server runs. */
  defaultTokensPerSecond: number | undefined;
  constructor(private readonly o: ModelServerOptions = {}) {
    this.defaultTokensPerSecond = o.defaultTokensPerSecond;
    this.server = o.tls
      ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, (req, res) => this.onHttp(req, res))
      : http.createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.server.on(o.tls ? 'secureConnection' : 'connection', (s: import('node:net').Socket) => {
      s.setNoDelay(true);
      this.httpSockets.add(s);
      s.on('close', () => this.httpSockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (!/\/responses\/?(\?.*)?$/.test(req.url ?? '')) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      if (!this.authorized(req.headers.authorization)) {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 62\r\n\r\n{"error":{"code":"invalid_api_key","message":"bad api key."}}',
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  get url(): string {
    return `${this.o.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/v1`;
  }
  get wsUrl(): string {
    return `${this.o.tls ? 'wss' : 'ws'}://127.0.0.1:${this.port}/v1/responses`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Queue scripted responses, used in order by the next requests. */
  enqueue(...steps: ScriptStep[]): this {
    this.script.push(...steps);
    return this;
  }

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
  clearScript(): void {
    this.script = [];
    this.release();
    this.released = 0;
  }
  get pendingSteps(): number {
    return this.script.length;
  }

  /** Drop every open WebSocket (a network blip). */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

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
    const d = this.demoAnswer(body, promptText);
    return 'code' in d ? d.code : '';
  }

  /** The demo model's answer: the text, or a can't-do said as the model's refusal. */
  private demoAnswer(body: any, promptText: string): { code: string } | { cannot: string } {
    const whole = JSON.stringify(body);
    // The fast path asked for targeted blocks (large scopes): the demo's rewrite, answered as blocks.
    const conv = parseConversation(promptText);
    if (
      conv &&
      JSON.stringify(body.instructions ?? body.system ?? body.messages?.[0] ?? '').includes(TARGETED_MARKER)
    ) {
      const r = demo().demoFromPrompt(promptText);
      // The blocks diff the code as the prompt has it against the rewrite as a rewrite answer ends: the code's own
      // trailing blank lines (demoFromPrompt keeps them), plus one newline.
      if (!('code' in r)) return r;
      const rewritten = r.code.replace(/\n$/, '');
      return { code: demo().targetedAnswer(conv.code, rewritten + '\n') };
    }
    // Deep mode's instructions ask for a patch (Responses `instructions`, Anthropic `system`, or a chat system message).
    if (whole.includes('*** Begin Patch')) return demo().demoDeep(promptText);
    if (whole.includes(NEXT_EDIT_MARK)) return { code: demo().demoNextEdit(promptText) }; // a next-edit suggestion
    if (JSON.stringify(body).includes("Spark Edit's assistant")) {
      const sel = /<context kind="selection" label="([^"]*?)(?::(\d+)-\d+)?">\n([\s\S]*?)\n<\/context>/.exec(
        promptText,
      );
      const selection = sel ? { path: sel[1], code: sel[3], line: sel[2] ? Number(sel[2]) : undefined } : undefined;
      return { code: demo().demoChat(promptText, selection) };
    }
    // Each instruction in turn (a redirect asks for the original instruction and the new direction).
    return demo().demoFromPrompt(promptText);
  }

  /** An unscripted step is the demo model's: its answer, or, when the demo cannot do what was asked, a refusal. */
  private demoStep(step: ScriptStep, body: any, promptText: string): ScriptStep {
    if (step.text !== undefined || step.refusal !== undefined) return step;
    const d = this.demoAnswer(body, promptText);
    // The answer is kept in the step, so it is computed once per request (textFor returns it as it is).
    return 'cannot' in d ? { ...step, refusal: d.cannot } : { ...step, text: d.code };
  }

  // ---------------------------------------------------------------- WebSocket (Responses)
  private onSocket(ws: WebSocket) {
    const conn = ++this.connections;
    this.sockets.add(ws);
    let lastResponseId: string | undefined;
    let busy = false;
    const queue: any[] = [];
    const limitTimer = this.armConnectionLimit(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      clearTimeout(limitTimer);
    });
    const next = () => {
      if (busy || queue.length === 0 || ws.readyState !== WebSocket.OPEN) return;
      const body = queue.shift();
      busy = true;
      this.requests.push({ transport: 'ws', body, at: Date.now(), connection: conn });
      if (
        body.previous_response_id &&
        body.previous_response_id !== lastResponseId &&
        !this.stored.has(body.previous_response_id)
      ) {
        this.sendJson(ws, {
          type: 'error',
          status: 400,
          error: {
            type: 'invalid_request_error',
            code: 'previous_response_not_found',
            message: `Previous response with id '${body.previous_response_id}' not found.`,
            param: 'previous_response_id',
          },
        });
        busy = false;
        next();
        return;
      }
      const step = body.generate === false ? {} : this.takeStep('ws'); // a warm-up has no answer to script
      const emit = (ev: any) => this.sendJson(ws, ev);
      void this.runResponse(
        body,
        step,
        emit,
        () => ws.readyState === WebSocket.OPEN,
        () => ws.terminate(),
        (raw) => ws.send(raw),
      ).then((id) => {
        if (id) lastResponseId = id;
        if (step.faults?.strayFrameAfter)
          this.sendJson(ws, {
            type: 'response.output_text.delta',
            item_id: 'msg_stale',
            output_index: 0,
            content_index: 0,
            delta: 'STRAY',
            sequence_number: 999,
          });
        busy = false;
        next();
      });
    };
    ws.on('message', (data) => {
      const body = this.clientEvent(ws, data.toString());
      if (body === undefined) return;
      queue.push(body);
      next();
    });
  }

  /** With `connectionLimitMs`, close the socket after that long with websocket_connection_limit_reached. */
  private armConnectionLimit(ws: WebSocket): NodeJS.Timeout | undefined {
    if (!this.o.connectionLimitMs) return undefined;
    return setTimeout(() => {
      this.sendJson(ws, {
        type: 'error',
        status: 400,
        error: {
          type: 'invalid_request_error',
          code: 'websocket_connection_limit_reached',
          message:
            'Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.',
        },
      });
      ws.close(1000);
    }, this.o.connectionLimitMs);
  }

  /**
   * One client frame as a `response.create` event, or undefined after answering an `error` event (not JSON:
   * invalid_json; any other type: unknown_event).
   */
  private clientEvent(ws: WebSocket, data: string): any {
    let body: any;
    try {
      body = JSON.parse(data);
    } catch {
      this.sendJson(ws, {
        type: 'error',
        status: 400,
        error: {
          type: 'invalid_request_error',
          code: 'invalid_json',
          message: 'Could not parse the client event as JSON.',
        },
      });
      return undefined;
    }
    if (body?.type !== 'response.create') {
      this.sendJson(ws, {
        type: 'error',
        status: 400,
        error: {
          type: 'invalid_request_error',
          code: 'unknown_event',
          message: `Unknown client event type '${body?.type}'.`,
        },
      });
      return undefined;
    }
    return body;
  }

  private sendJson(ws: WebSocket, ev: unknown) {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(ev));
  }

  /**
   * The Responses event sequence for one response. Returns the response id if it completed.
   * `emit` sends one event; `raw` sends a raw frame (fault injection); `kill` drops the connection.
   */
  private async runResponse(
    body: any,
    step: ScriptStep,
    emit: (ev: any) => void,
    alive: () => boolean,
    kill: () => void,
    raw: (s: string) => void,
  ): Promise<string | undefined> {
    const f = step.faults ?? {};
    let seq = 0;
    // Several response lanes on one socket: every event of a lane carries its stream_id.
    const lane = body.stream_id !== undefined ? { stream_id: body.stream_id } : {};
    const e = (ev: any) => emit({ ...ev, sequence_number: seq++, ...lane });
    if (f.errorEvent) {
      emit({
        type: 'error',
        status: 400,
        error: { type: 'invalid_request_error', param: null, ...f.errorEvent },
        ...lane,
      });
      return undefined;
    }
    if (f.neverAnswer) return new Promise<undefined>(() => undefined);
    const id = newId('resp');
    const base = responseObject(id, body);
    e({ type: 'response.created', response: { ...base, status: 'in_progress' } });
    e({ type: 'response.in_progress', response: { ...base, status: 'in_progress' } });
    // The conversation so far: what previous_response_id chains to, then this request's input (the real API
    // answers the whole conversation; the demo and scripted text functions see it too).
    const convo = [
      ...(body.previous_response_id ? (this.conversations.get(body.previous_response_id) ?? []) : []),
      ...inputItems(body.input),
    ];
    const prompt = promptTextOf({ input: convo });
    const keep = (out: string) =>
      this.keepConversation(id, body, [
        ...convo,
        ...(out ? [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: out }] }] : []),
      ]);
    const inputTokens = Math.ceil(prompt.length / 4);
    const usageOf = (out: string) => responsesUsage(inputTokens, tokenize(out).length);
    if (body.generate === false) {
      e({
        type: 'response.completed',
        response: { ...base, status: 'completed', usage: responsesUsage(inputTokens, 0) },
      });
      keep('');
      return id;
    }
    const output: any[] = [];
    const message = (
      text: string,
      phase: 'commentary' | 'final_answer' | undefined,
      partType: 'output_text' | 'refusal',
    ) => outputMessage(e, output, phase, partType);
    const phased = step.commentary !== undefined;
    if (phased) {
      const c = message(step.commentary!, 'commentary', 'output_text');
      for (const tok of tokenize(step.commentary!)) c.delta(tok);
      c.finish(step.commentary!, 'completed');
    }
    if (body.generate !== false) step = this.demoStep(step, body, prompt);
    if (step.refusal !== undefined) {
      const r = message(step.refusal, phased ? 'final_answer' : undefined, 'refusal');
      for (const tok of tokenize(step.refusal)) r.delta(tok);
      r.finish(step.refusal, 'completed');
      e({
        type: 'response.completed',
        response: { ...base, status: 'completed', output, usage: usageOf(step.refusal) },
      });
      keep('');
      return id;
    }
    const text = this.textFor(step, body, prompt);
    const m = message(text, phased ? 'final_answer' : undefined, 'output_text');
    const { outcome, sent } = await this.paceWithFaults(text, step, alive, {
      malformed: () => raw('{"type":"response.output_text.delta","delta":'),
      kill,
      fail: () => 'fail',
      delta: (tok) => m.delta(tok),
    });
    if (outcome === 'stop' || outcome === 'dead') return undefined;
    if (outcome === 'stall') return new Promise<undefined>(() => undefined);
    if (!endResponse(e, { base, output, usage: usageOf(sent) }, step, outcome, (st) => m.finish(sent, st)))
      return undefined;
    keep(sent);
    return id;
  }

  /**
   * Stream the text at the step's pace, with its faults at their character counts, in this order: a malformed
   * frame, a dropped connection, a clean end, a stall, a failure (the wire's own, where it has one), the output
   * limit. `delta` sends one non-empty token. Returns how it ended and the text sent.
   */
  private async paceWithFaults(
    text: string,
    step: ScriptStep,
    alive: () => boolean,
    wire: { malformed: () => void; kill: () => void; fail?: () => 'fail' | 'stop'; delta: (tok: string) => void },
  ): Promise<{ outcome: PaceOutcome; sent: string }> {
    const f = step.faults ?? {};
    const truncateAt = f.truncateAfterChars ?? f.incompleteAfterChars;
    let sent = '';
    const outcome = await this.pace(
      text,
      step,
      (tok) => {
        if (f.malformedAfterChars !== undefined && sent.length >= f.malformedAfterChars) {
          wire.malformed();
          return 'stop';
        }
        if (f.dropAfterChars !== undefined && sent.length >= f.dropAfterChars) {
          wire.kill();
          return 'stop';
        }
        if (f.endAfterChars !== undefined && sent.length >= f.endAfterChars) return 'stop';
        if (f.stallAfterChars !== undefined && sent.length >= f.stallAfterChars) return 'stall';
        if (wire.fail && f.failAfterChars !== undefined && sent.length >= f.failAfterChars) return wire.fail();
        if (truncateAt !== undefined && sent.length >= truncateAt) return 'incomplete';
        if (tok) {
          wire.delta(tok);
          sent += tok;
        }
        return 'ok';
      },
      alive,
    );
    return { outcome, sent };
  }

  /** Responses kept with `store: true` (the default) can be continued over HTTP with previous_response_id; `store: false` ones cannot. */
  private readonly stored = new Set<string>();
  /** Each recent response's whole conversation (input items and its answer), for previous_response_id. */
  private readonly conversations = new Map<string, any[]>();
  private keepConversation(id: string, body: any, convo: any[]) {
    if (body.store !== false) this.stored.add(id);
    this.conversations.set(id, convo);
    if (this.conversations.size > 200) this.conversations.delete(this.conversations.keys().next().value!);
  }

  /** Send tokens at the step's rate. `send` returns what to do next. */
  private async pace(
    text: string,
    step: ScriptStep,
    send: (tok: string) => 'ok' | 'stop' | 'stall' | 'fail' | 'incomplete',
    alive: () => boolean,
  ): Promise<PaceOutcome> {
    const toks = tokenize(text);
    const rate = step.tokensPerSecond ?? this.defaultTokensPerSecond ?? 0;
    if (step.firstTokenDelayMs) await sleep(step.firstTokenDelayMs);
    let t0 = performance.now();
    let i = 0;
    let chars = 0;
    const holds = [step.holdAfterChars ?? []].flat().sort((a, b) => a - b);
    let hold = holds.shift();
    while (i < toks.length) {
      if (!alive()) return 'dead';
      const due =
        rate > 0 && Number.isFinite(rate)
          ? Math.min(toks.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1)
          : Math.min(toks.length, i + 256);
      while (i < due) {
        if (hold !== undefined && chars >= hold) break;
        const r = send(toks[i]);
        if (r !== 'ok') return r;
        chars += toks[i].length;
        i++;
      }
      if (hold !== undefined && chars >= hold) {
        hold = holds.shift();
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
        if (wait >= 1) await sleep(wait);
        else await immediate();
      } else await immediate();
    }
    // A fault placed at the very end still fires.
    const r = send('');
    return r === 'ok' ? 'done' : r;
  }

  // ---------------------------------------------------------------- HTTP (Responses SSE, Chat Completions SSE)
  private onHttp(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = req.url ?? '';
    if (req.method === 'GET' && /\/models\/?$/.test(url)) return answerModels(res);
    const isResponses = req.method === 'POST' && /\/responses\/?(\?.*)?$/.test(url);
    const isChat = req.method === 'POST' && /\/chat\/completions\/?(\?.*)?$/.test(url);
    const isAnthropic = req.method === 'POST' && /\/messages\/?(\?.*)?$/.test(url);
    const transport = isChat ? 'chat' : isAnthropic ? 'anthropic' : 'http';
    const fail = (
      status: number,
      type: string,
      message: string,
      code?: string | null,
      param?: string | null,
      headers: Record<string, string> = {},
    ) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      // Each provider's own error body: Anthropic {type:"error", error:{type, message}}, OpenAI {error:{message, type, param, code}}.
      res.end(
        JSON.stringify(
          isAnthropic
            ? { type: 'error', error: { type, message }, request_id: newId('req') }
            : { error: { message, type, param: param ?? null, code: code ?? null } },
        ),
      );
    };
    if (!isResponses && !isChat && !isAnthropic) {
      fail(
        404,
        isAnthropic ? 'not_found_error' : 'invalid_request_error',
        `Unknown path ${url.split('?')[0]}.`,
        'not_found',
      );
      return;
    }
    if (!this.httpAuthorized(req, isAnthropic, fail)) return;
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      let body: any;
      try {
        body = JSON.parse(data);
      } catch {
        fail(400, 'invalid_request_error', 'We could not parse the JSON body of your request.', 'invalid_json');
        return;
      }
      this.requests.push({ transport, body, at: Date.now(), headers: req.headers });
      // Over HTTP only stored responses can be continued: a `store: false` id (or one from a socket's cache) is unknown.
      if (isResponses && body.previous_response_id && !this.stored.has(body.previous_response_id)) {
        fail(
          400,
          'invalid_request_error',
          `Previous response with id '${body.previous_response_id}' not found.`,
          'previous_response_not_found',
          'previous_response_id',
        );
        return;
      }
      const step = this.takeStep(transport);
      const f = step.faults ?? {};
      if (injectHttpError(f, isAnthropic, fail)) return;
      if (body.stream !== true) {
        void this.answerJson(transport, body, step, res);
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const alive = () => !res.destroyed && !res.writableEnded;
      const kill = () => res.destroy();
      if (isChat) void this.runChat(body, step, res, alive, kill);
      else if (isAnthropic) void this.runAnthropic(body, step, res, alive, kill);
      else
        void this.runResponse(
          body,
          step,
          (ev) => res.write(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`),
          alive,
          kill,
          (raw) => res.write(`data: ${raw}\n\n`),
        ).then(() => {
          if (alive()) res.end();
        });
    });
  }

  /** The request's credentials (Anthropic: x-api-key or Bearer, and a dated anthropic-version); false once refused. */
  private httpAuthorized(
    req: http.IncomingMessage,
    isAnthropic: boolean,
    fail: (status: number, type: string, message: string, code?: string | null) => void,
  ): boolean {
    if (isAnthropic) {
      // The SDK sends x-api-key, or Authorization: Bearer (auth tokens); the version header is required.
      const version = req.headers['anthropic-version'];
      if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version)) {
        fail(
          400,
          'invalid_request_error',
          'anthropic-version: header is required and must be a version date (e.g. 2023-06-01)',
        );
        return false;
      }
      const key =
        typeof req.headers['x-api-key'] === 'string' ? `Bearer ${req.headers['x-api-key']}` : req.headers.authorization;
      if (!this.authorized(key)) {
        fail(401, 'authentication_error', 'invalid x-api-key');
        return false;
      }
    } else if (!this.authorized(req.headers.authorization)) {
      fail(401, 'invalid_request_error', 'Incorrect API key provided.', 'invalid_api_key');
      return false;
    }
    return true;
  }

  /** A request without `stream: true`: the same answer as one JSON object (Response, chat.completion, Message). */
  private async answerJson(
    transport: 'http' | 'chat' | 'anthropic',
    body: any,
    step: ScriptStep,
    res: http.ServerResponse,
  ) {
    const events: any[] = [];
    const parser = new SseParser((ev) => {
      if (ev.data !== '[DONE]') {
        try {
          events.push(JSON.parse(ev.data));
        } catch {
          /* a malformed-frame fault */
        }
      }
    });
    const sink: Out = {
      write: (c) => {
        parser.push(typeof c === 'string' ? c : new Uint8Array(c));
        return true;
      },
      end: () => undefined,
    };
    const fast = { ...step, tokensPerSecond: Infinity, holdAfterChars: undefined };
    const send = (status: number, o: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    if (transport === 'http') {
      await this.runResponse(
        body,
        fast,
        (ev) => events.push(ev),
        () => true,
        () => undefined,
        () => undefined,
      );
      const last = events[events.length - 1];
      if (last?.type === 'response.failed') {
        send(500, {
          error: {
            message: last.response.error?.message ?? 'failed',
            type: 'server_error',
            param: null,
            code: last.response.error?.code ?? null,
          },
        });
        return;
      }
      send(200, { ...last?.response, output_text: undefined });
      return;
    }
    if (transport === 'chat') {
      await this.runChat(
        { ...body, stream_options: { include_usage: true } },
        fast,
        sink,
        () => true,
        () => undefined,
      );
      send(200, chatCompletionOf(events, body));
      return;
    }
    await this.runAnthropic(
      body,
      fast,
      sink,
      () => true,
      () => undefined,
    );
    const start = events.find((x) => x.type === 'message_start')?.message;
    const delta = events.find((x) => x.type === 'message_delta');
    const text = events
      .filter((x) => x.type === 'content_block_delta')
      .map((x) => x.delta?.text ?? '')
      .join('');
    const err = events.find((x) => x.type === 'error');
    if (err) {
      send(529, err);
      return;
    }
    send(200, {
      ...start,
      content: text ? [{ type: 'text', text, citations: null }] : [],
      stop_reason: delta?.delta?.stop_reason ?? 'end_turn',
      stop_sequence: null,
      stop_details: delta?.delta?.stop_details ?? null,
      usage: { ...start?.usage, ...delta?.usage },
    });
  }

  private async runChat(body: any, step: ScriptStep, res: Out, alive: () => boolean, kill: () => void) {
    const f = step.faults ?? {};
    if (f.neverAnswer) return;
    const id = newId('chatcmpl');
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'spark-demo';
    const withUsage = !!body.stream_options?.include_usage;
    // With include_usage, every chunk but the last carries `usage: null`.
    const chunk = (delta: any, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: null,
      service_tier: 'default',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(withUsage ? { usage: null } : {}),
    });
    const w = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    const prompt = messagesText(body);
    step = this.demoStep(step, body, prompt);
    const refusing = step.refusal !== undefined;
    const text = refusing ? step.refusal! : this.textFor(step, body, prompt);
    w(
      chunk(
        refusing
          ? { role: 'assistant', content: null, refusal: '' }
          : { role: 'assistant', content: '', refusal: null },
        null,
      ),
    );
    if (f.rawBytesInDelta) {
      // A delta whose text holds raw bytes, split across two socket writes in the middle of the JSON.
      const frame = Buffer.concat([
        Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"'),
        Buffer.from(f.rawBytesInDelta),
        Buffer.from('"}}]}\n\n'),
      ]);
      const cut = Math.floor(frame.length / 2) + 1;
      res.write(frame.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 5));
      res.write(frame.subarray(cut));
    }
    // Chat Completions has no failure event: failAfterChars does not apply.
    const { outcome, sent } = await this.paceWithFaults(text, step, alive, {
      malformed: () => res.write('data: {"choices":[{"delta":\n\n'),
      kill,
      delta: (tok) => w(chunk(refusing ? { refusal: tok } : { content: tok }, null)),
    });
    if (outcome !== 'done' && outcome !== 'incomplete') {
      if (outcome === 'stop' && alive()) res.end();
      return;
    }
    w(chunk({}, outcome === 'incomplete' ? 'length' : (step.stopReason ?? 'stop')));
    if (withUsage) {
      const pred = typeof body.prediction?.content === 'string' ? body.prediction.content : undefined;
      const completion = tokenize(sent).length;
      const accepted = pred ? tokenize(sent).filter((t) => pred.includes(t)).length : 0;
      const promptTokens = Math.ceil(prompt.length / 4);
      w({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: null,
        service_tier: 'default',
        choices: [],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completion,
          total_tokens: promptTokens + completion,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: accepted,
            rejected_prediction_tokens: pred ? completion - accepted : 0,
          },
        },
      });
    }
    if (!f.noDone) res.write('data: [DONE]\n\n');
    res.end();
  }

  /** Anthropic Messages streaming: message_start, content_block_start, ping, content_block_delta…, stops. */
  private async runAnthropic(body: any, step: ScriptStep, res: Out, alive: () => boolean, kill: () => void) {
    const f = step.faults ?? {};
    if (f.neverAnswer) return;
    const ev = (type: string, o: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`);
    const prompt = [typeof body.system === 'string' ? body.system : '', messagesText(body)].join('\n');
    step = this.demoStep(step, body, prompt);
    // A refusal streams only the text the step names (often none) before the refusal stop.
    const text =
      step.refusal !== undefined ? (typeof step.text === 'string' ? step.text : '') : this.textFor(step, body, prompt);
    const id = newId('msg');
    const inputTokens = Math.ceil(prompt.length / 4);
    const usage = (output: number) => ({
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: null,
      output_tokens: output,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      inference_geo: null,
      speed: null,
    });
    ev('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: body.model ?? 'spark-demo',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        stop_details: null,
        container: null,
        diagnostics: null,
        usage: usage(1),
      },
    });
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '', citations: null } });
    ev('ping', {});
    const { outcome, sent } = await this.paceWithFaults(text, step, alive, {
      malformed: () => res.write('event: content_block_delta\ndata: {"type":"content_block_delta",\n\n'),
      kill,
      // A failure mid-stream is an `error` event (then the stream ends).
      fail: () => {
        ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: newId('req') });
        return 'stop';
      },
      delta: (tok) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: tok } }),
    });
    if (outcome !== 'done' && outcome !== 'incomplete') {
      if (outcome === 'stop' && alive()) res.end();
      return;
    }
    const stop =
      outcome === 'incomplete'
        ? 'max_tokens'
        : step.refusal !== undefined
          ? 'refusal'
          : (step.stopReason ?? 'end_turn');
    const details = stop === 'refusal' ? { type: 'refusal', category: null, explanation: step.refusal || null } : null;
    ev('content_block_stop', { index: 0 });
    const u = usage(tokenize(sent).length);
    ev('message_delta', {
      delta: { stop_reason: stop, stop_sequence: null, stop_details: details, container: null },
      usage: {
        input_tokens: u.input_tokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: u.output_tokens,
        output_tokens_details: null,
        server_tool_use: null,
      },
    });
    ev('message_stop', {});
    res.end();
  }
}

/** An injected request-level fault (`httpStatus`, or `errorEvent` over HTTP): answered with its status and each wire's error type. */
function injectHttpError(
  f: Faults,
  isAnthropic: boolean,
  fail: (
    status: number,
    type: string,
    message: string,
    code?: string | null,
    param?: string | null,
    headers?: Record<string, string>,
  ) => void,
): boolean {
  if (f.httpStatus) {
    const st = f.httpStatus;
    const type = isAnthropic
      ? st === 429
        ? 'rate_limit_error'
        : st === 529
          ? 'overloaded_error'
          : st === 401
            ? 'authentication_error'
            : st === 403
              ? 'permission_error'
              : st >= 500
                ? 'api_error'
                : 'invalid_request_error'
      : st === 429
        ? 'requests'
        : st >= 500
          ? 'server_error'
          : 'invalid_request_error';
    fail(
      st,
      type,
      `injected HTTP ${st}`,
      st === 429 ? 'rate_limit_exceeded' : String(st),
      null,
      f.retryAfter ? { 'retry-after': f.retryAfter } : {},
    );
    return true;
  }
  if (f.errorEvent) {
    // A request-level error over HTTP is a real status with a JSON body, never a 200 with an error frame.
    const st = f.errorEvent.code === 'rate_limit_exceeded' ? 429 : 400;
    fail(
      st,
      isAnthropic
        ? st === 429
          ? 'rate_limit_error'
          : 'invalid_request_error'
        : st === 429
          ? 'requests'
          : 'invalid_request_error',
      f.errorEvent.message,
      f.errorEvent.code,
    );
    return true;
  }
  return false;
}

/** A non-streaming `chat.completion` put together from the chunks the stream sent. */
function chatCompletionOf(events: any[], body: any) {
  const chunks = events.filter((c) => c.object === 'chat.completion.chunk');
  const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
  const refusal = chunks.map((c) => c.choices?.[0]?.delta?.refusal ?? '').join('');
  const finish = chunks.map((c) => c.choices?.[0]?.finish_reason).find((x) => x) ?? null;
  const usage = chunks.find((c) => c.usage)?.usage ?? null;
  return {
    id: chunks[0]?.id ?? newId('chatcmpl'),
    object: 'chat.completion',
    created: chunks[0]?.created ?? Math.floor(Date.now() / 1000),
    model: body.model ?? 'spark-demo',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: refusal ? null : content,
          refusal: refusal || null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage,
    service_tier: 'default',
    system_fingerprint: null,
  };
}

/** GET /models: the one model this server serves. */
function answerModels(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      object: 'list',
      data: [{ id: 'spark-demo', object: 'model', created: 0, owned_by: 'spark' }],
    }),
  );
}

/** How a paced stream ended. */
type PaceOutcome = 'done' | 'stop' | 'stall' | 'fail' | 'incomplete' | 'dead';

/** A Responses output message streamed as one output_text (or refusal) part, with its own item id and output index. */
function outputMessage(
  e: (ev: any) => void,
  output: any[],
  phase: 'commentary' | 'final_answer' | undefined,
  partType: 'output_text' | 'refusal',
) {
  const itemId = newId('msg');
  const output_index = output.length;
  const ph = phase ? { phase } : {};
  const ids = { item_id: itemId, output_index, content_index: 0 };
  e({
    type: 'response.output_item.added',
    output_index,
    item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', ...ph, content: [] },
  });
  e({
    type: 'response.content_part.added',
    ...ids,
    part:
      partType === 'refusal'
        ? { type: 'refusal', refusal: '' }
        : { type: 'output_text', text: '', annotations: [], logprobs: [] },
  });
  const finish = (sent: string, status: 'completed' | 'incomplete') => {
    const part =
      partType === 'refusal'
        ? { type: 'refusal', refusal: sent }
        : { type: 'output_text', text: sent, annotations: [], logprobs: [] };
    e(
      partType === 'refusal'
        ? { type: 'response.refusal.done', ...ids, refusal: sent }
        : { type: 'response.output_text.done', ...ids, text: sent, logprobs: [] },
    );
    e({ type: 'response.content_part.done', ...ids, part });
    const item = { id: itemId, type: 'message', status, role: 'assistant', ...ph, content: [part] };
    e({ type: 'response.output_item.done', output_index, item });
    output.push(item);
  };
  const delta = (tok: string) => {
    if (tok)
      e(
        partType === 'refusal'
          ? { type: 'response.refusal.delta', ...ids, delta: tok }
          : { type: 'response.output_text.delta', ...ids, delta: tok, logprobs: [] },
      );
  };
  return { delta, finish };
}

/**
 * The end of a response's streamed text: `response.failed` (an injected failure; returns false), or the message's
 * done events (`finish`) then `response.incomplete` (max_output_tokens, or the step's own stop reason) or
 * `response.completed` (returns true).
 */
function endResponse(
  e: (ev: any) => void,
  r: { base: Record<string, unknown>; output: any[]; usage: unknown },
  step: ScriptStep,
  outcome: 'done' | 'fail' | 'incomplete',
  finish: (status: 'completed' | 'incomplete') => void,
): boolean {
  const { base, output, usage } = r;
  if (outcome === 'fail') {
    const err = step.faults?.failWith ?? {
      code: 'server_error',
      message: 'The model failed while generating (injected fault).',
    };
    e({ type: 'response.failed', response: { ...base, status: 'failed', error: err, output, usage } });
    return false;
  }
  const reason =
    outcome === 'incomplete'
      ? 'max_output_tokens'
      : step.stopReason && step.stopReason !== 'completed'
        ? step.stopReason
        : undefined;
  finish(reason ? 'incomplete' : 'completed');
  if (reason) {
    e({
      type: 'response.incomplete',
      response: { ...base, status: 'incomplete', incomplete_details: { reason }, output, usage },
    });
  } else {
    e({ type: 'response.completed', response: { ...base, status: 'completed', output, usage } });
  }
  return true;
}

/** Where an SSE runner writes: an HTTP response, or a collector for a non-streaming answer. */
interface Out {
  write(chunk: string | Buffer): boolean;
  end(): void;
}

/** A complete Response object, every field the SDK's `Response` type requires. */
function responseObject(id: string, body: any): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    model: body.model ?? 'spark-demo',
    output: [],
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
  };
}

function responsesUsage(input: number, output: number) {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

function messagesText(body: any): string {
  return (body.messages ?? [])
    .map((m: any) =>
      typeof m.content === 'string' ? m.content : (m.content ?? []).map((c: any) => c.text ?? '').join(''),
    )
    .join('\n');
}

function inputItems(input: unknown): any[] {
  if (typeof input === 'string')
    return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  return Array.isArray(input) ? input : [];
}

function promptTextOf(body: any): string {
  const input = body?.input;
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  // Every user message, oldest first: the edit prompt with the code, then any redirects (parseConversation).
  const texts = input
    .filter((m: any) => m?.role === 'user')
    .map((m: any) => (m.content ?? []).map((c: any) => c?.text ?? '').join(''));
  return texts.join('\n');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const immediate = () => new Promise<void>((r) => setImmediate(r));
