/**
 * The targeted edit format of the fast path: the `*** Begin Patch` (V4A) form OpenAI's Codex models are trained on
 * (deep mode parses the same form for whole files). For one scope (a selection or a whole file):
 *
 *   *** Begin Patch
 *   *** Update File: src/a.ts        (optional here: the scope is one file)
 *   @@ function total(              (optional: a line of the scope at or above the change, to tell repeats apart)
 *    context line (unchanged, usually 3 before and 3 after)
 *   -removed line
 *   +added line
 *   *** End Patch
 *
 * This parser works line by line as the answer streams, with one exception that makes the edit feel live: the
 * characters of an added (`+`) line are handed on as they arrive (`addPiece`), before its newline. It is linear in
 * the answer: the incomplete line is kept as pieces and joined once.
 */
export interface TargetedEvents {
  /** A new block (`@@`, with the text after it, or the first change line after a file header). */
  block(header: string): void;
  /** A complete context (` `) or removed (`-`) line of the current block. */
  old(text: string, removed: boolean): void;
  /** Characters of the added line being written (the `+` is not included). May be called many times per line. */
  addPiece(piece: string): void;
  /** The added line that `addPiece` was building is complete (`text` is all of it). */
  addEnd(text: string): void;
  /** Something the format does not allow in a targeted edit (another file created or deleted): ignored, reported. */
  foreign(what: string): void;
  /** `*** End Patch` (the answer may go on with prose, which is ignored). */
  endPatch(): void;
  /** Every complete line, before it is interpreted (to tell blocks from a rewrite). */
  line?(text: string): void;
}

type LineKind = 'unknown' | 'add' | 'other';

export class TargetedParser {
  private parts: string[] = [];
  /** What the incomplete line is, once its first character is known. */
  private kind: LineKind = 'unknown';
  private began = false;
  private ended = false;
  private inBlock = false;
  constructor(private readonly ev: TargetedEvents) {}

  get sawBegin(): boolean {
    return this.began;
  }

  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      this.piece(chunk.slice(start, nl));
      const line = this.parts.join('');
      this.parts = [];
      start = nl + 1;
      this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
      this.kind = 'unknown';
    }
    if (start < chunk.length) this.piece(start ? chunk.slice(start) : chunk);
  }

  /** The answer ended: an incomplete last line counts as a line (a truncated answer is handled by the caller). */
  end(): void {
    if (this.parts.length) {
      const l = this.parts.join('');
      this.parts = [];
      this.line(l.endsWith('\r') ? l.slice(0, -1) : l);
      this.kind = 'unknown';
    }
  }

  private piece(p: string) {
    if (p.length === 0) return;
    const first = this.parts.length === 0;
    this.parts.push(p);
    if (first && this.kind === 'unknown') {
      this.kind = this.began && !this.ended && !this.skipFile && p[0] === '+' ? 'add' : 'other';
      if (this.kind === 'add') {
        this.ensureBlock();
        const rest = p.slice(1);
        if (rest) this.ev.addPiece(rest);
        return;
      }
    }
    if (this.kind === 'add' && !first) this.ev.addPiece(p);
  }

  private ensureBlock() {
    if (!this.inBlock) {
      this.inBlock = true;
      this.ev.block('');
    }
  }

  private line(l: string) {
    this.ev.line?.(l);
    if (this.ended) return;
    if (this.kind === 'add') {
      this.ev.addEnd(l.slice(1));
      return;
    }
    if (/^\*\*\* Begin Patch\s*$/.test(l)) {
      this.began = true;
      return;
    }
    if (!this.began) return; // prose before the patch
    if (/^\*\*\* End Patch\s*$/.test(l)) {
      this.ended = true;
      this.inBlock = false;
      this.ev.endPatch();
      return;
    }
    const file = /^\*\*\* (Update|Add|Delete) File:(.*)$/.exec(l);
    if (file) {
      this.inBlock = false;
      if (file[1] !== 'Update') this.ev.foreign(`${file[1].toLowerCase()} file ${file[2].trim()}`);
      this.skipFile = file[1] !== 'Update';
      return;
    }
    if (this.skipFile) return;
    if (/^\*\*\* /.test(l)) return; // *** End of File, *** Move to: nothing to place in a scope
    if (l.startsWith('@@')) {
      this.inBlock = true;
      this.ev.block(
        l
          .replace(/^@@+/, '')
          .replace(/@@+\s*$/, '')
          .trim(),
      );
      return;
    }
    if (/^```/.test(l)) return; // a fence around the patch
    if (l.startsWith('-')) {
      this.ensureBlock();
      this.ev.old(l.slice(1), true);
      return;
    }
    if (!this.inBlock && l.trim() === '') return;
    this.ensureBlock();
    this.ev.old(l.startsWith(' ') ? l.slice(1) : l, false);
  }

  private skipFile = false;
}
