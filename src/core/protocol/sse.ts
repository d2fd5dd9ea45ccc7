/**
 * Incremental Server-Sent Events parser (the text/event-stream format). Bytes go in as they arrive; UTF-8
 * split across chunks is decoded correctly; CRLF, LF and CR line ends; multi-line `data:`; comments ignored.
 */
export interface SseEvent { event?: string; data: string; id?: string }

export class SseParser {
  private decoder = new TextDecoder('utf-8');
  private buf = '';
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  constructor(private readonly onEvent: (e: SseEvent) => void) {}

  push(chunk: Uint8Array | string): void {
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const lf = this.buf.indexOf('\n', start);
      const cr = this.buf.indexOf('\r', start);
      let end: number; let next: number;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        if (cr === this.buf.length - 1) break; // a CR at the end may be the first half of CRLF
        end = cr; next = this.buf[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf >= 0) { end = lf; next = lf + 1; } else break;
      this.line(this.buf.slice(start, end));
      start = next;
    }
    this.buf = this.buf.slice(start);
  }

  /** The stream ended: a last event without its blank line is still delivered. */
  end(): void {
    this.buf += this.decoder.decode();
    if (this.buf) { this.line(this.buf); this.buf = ''; }
    this.dispatch();
  }

  private line(l: string) {
    if (l === '') { this.dispatch(); return; }
    if (l.startsWith(':')) return;
    const c = l.indexOf(':');
    const field = c < 0 ? l : l.slice(0, c);
    let value = c < 0 ? '' : l.slice(c + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }

  private dispatch() {
    if (this.data.length === 0) { this.event = undefined; return; }
    const e: SseEvent = { data: this.data.join('\n'), event: this.event, id: this.id };
    this.data = []; this.event = undefined;
    this.onEvent(e);
  }
}
