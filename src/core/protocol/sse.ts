/**
 * Incremental Server-Sent Events parser (the text/event-stream format). Bytes go in as they arrive; UTF-8
 * split across chunks is decoded correctly; CRLF, LF and CR line ends; multi-line `data:`; comments ignored.
 */
import { ModelError } from '../transport/types';

export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/** Longest SSE line or event accepted (a server that never ends an event is stopped, not buffered forever). */
export const MAX_SSE_EVENT_CHARS = 4_000_000;

export class SseParser {
  private decoder = new TextDecoder('utf-8');
  /** The incomplete line, as the pieces that arrived: never re-scanned or re-joined until its end arrives. */
  private parts: string[] = [];
  private partLen = 0;
  /** The last chunk ended with CR: a LF starting the next chunk is the second half of CRLF. */
  private skipLF = false;
  private data: string[] = [];
  private dataLen = 0;
  private event: string | undefined;
  private id: string | undefined;

  constructor(
    private readonly onEvent: (e: SseEvent) => void,
    private readonly maxEventChars = MAX_SSE_EVENT_CHARS,
  ) {}

  /** Linear in the input: each character is scanned once, each line joined once. Throws a ModelError past the cap. */
  push(chunk: Uint8Array | string): void {
    let s = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!s) return;
    if (this.skipLF) {
      this.skipLF = false;
      if (s.charCodeAt(0) === 10) s = s.slice(1);
    }
    const re = /[\r\n]/g;
    let start = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      const end = m.index;
      const line = this.partLen ? this.parts.join('') + s.slice(start, end) : s.slice(start, end);
      this.parts = [];
      this.partLen = 0;
      let next = end + 1;
      if (s.charCodeAt(end) === 13) {
        if (next < s.length) {
          if (s.charCodeAt(next) === 10) next++;
        } else this.skipLF = true;
      }
      re.lastIndex = next;
      start = next;
      this.line(line);
    }
    if (start < s.length) {
      this.parts.push(start ? s.slice(start) : s);
      this.partLen += s.length - start;
      if (this.partLen + this.dataLen > this.maxEventChars) this.tooLarge();
    }
  }

  /** The stream ended: a last event without its blank line is still delivered. */
  end(): void {
    const tail = this.decoder.decode();
    if (tail) this.push(tail);
    if (this.partLen) {
      const l = this.parts.join('');
      this.parts = [];
      this.partLen = 0;
      this.line(l);
    }
    this.dispatch();
  }

  private tooLarge(): never {
    this.parts = [];
    this.partLen = 0;
    this.data = [];
    this.dataLen = 0;
    throw new ModelError(
      'protocol',
      `The model server sent an event larger than ${Math.round((this.maxEventChars / 1e6) * 10) / 10} MB; the stream was stopped.`,
      'event_too_large',
    );
  }

  private line(l: string) {
    if (l === '') {
      this.dispatch();
      return;
    }
    if (l.startsWith(':')) return;
    const c = l.indexOf(':');
    const field = c < 0 ? l : l.slice(0, c);
    let value = c < 0 ? '' : l.slice(c + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.dataLen += value.length + 1;
      if (this.dataLen > this.maxEventChars) this.tooLarge();
    } else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }

  private dispatch() {
    if (this.data.length === 0) {
      this.event = undefined;
      return;
    }
    const e: SseEvent = { data: this.data.join('\n'), event: this.event, id: this.id };
    this.data = [];
    this.dataLen = 0;
    this.event = undefined;
    this.onEvent(e);
  }
}
