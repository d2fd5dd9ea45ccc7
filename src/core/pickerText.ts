/**
 * The picker's text (issue 15, `sparkEdit.promptStyle: quickInput`): one account of what the user typed, in the
 * order they typed it, kept by the extension host.
 *
 * Keys reach the instruction two ways. Keys typed into the code before the picker had the keyboard come to the
 * extension host (held: EarlyKeys); keys typed after go straight into the picker's input, and the extension host
 * hears each change of that input's value, in order. The code-typed keys all come before the picker-typed ones (the
 * keyboard moves once, from the code to the picker), but the last of them can reach the extension host after the
 * picker is shown. Writing them into the input then races the user's typing: the workbench's value was replaced by
 * the extension host's, and a key typed in between was gone (newcomer: "rname sum to subtotal"); the extension host
 * also read its own earlier value back and dropped the next held key.
 *
 * So the instruction is this account (`text`), never the input's value: every change the workbench reports is
 * applied to it as an edit (what changed between two reported values), and the held keys are inserted where the
 * code-typed keys end. The input only shows it: when it lacks something (`toWrite`), the whole text is written, in
 * two steps, first with MARK (a character no one types) at its end, then without. A reported value with MARK is the
 * write landed, or typed on top of it; the first one without MARK after that is the second step landed. Values
 * reported before the first step landed were typed onto the old value: they are edits too, and written again.
 */
export const MARK = '\u2063'; // INVISIBLE SEPARATOR: never typed, drawn as nothing

export class PickerText {
  /** The instruction as typed. */
  text: string;
  /** The input's value, as last reported (or as last written, once that write is seen to land). */
  private shown: string;
  /** Where keys typed into the code go in `text` (after those typed into the code before, before the picker's). */
  private split: number;
  /** Keys typed into the code, in order (an Enter among them sends: see `entered`). */
  private code: string;
  /** A write in flight: 'marked' until its first step is seen, then 'landing' until its second is. */
  private writing?: 'marked' | 'landing';

  constructor() {
    this.text = this.shown = this.code = '';
    this.split = 0;
  }

  /** An Enter typed into the code: the instruction is what was typed before it (all of it typed into the code). */
  get entered(): string | undefined {
    const i = this.code.search(/\r?\n/);
    return i < 0 ? undefined : this.code.slice(0, i);
  }

  /** Keys typed into the code (held before the picker showed, or heard after), in order. */
  late(key: string) {
    this.code += key;
    if (this.entered !== undefined) return;
    this.text = this.text.slice(0, this.split) + key + this.text.slice(this.split);
    this.split += key.length;
  }

  /** The workbench reports the input's value. */
  changed(value: string) {
    if (this.writing === 'marked' && value.includes(MARK)) {
      // The write's first step landed (or a key typed on top of it, which the second step will overwrite): an edit
      // from what it showed before, whatever that was, except the MARK itself.
      if (this.shown.includes(MARK)) this.edit(this.shown, value);
      this.shown = value;
      return;
    }
    if (this.writing === 'marked' && this.shown.includes(MARK)) {
      this.writing = undefined; // the second step landed: the input shows what was written
      this.shown = value;
      return;
    }
    this.edit(this.shown, value);
    this.shown = value;
  }

  /** What to write into the input (the whole text), if it lacks something; undefined while a write is in flight. */
  toWrite(): [marked: string, plain: string] | undefined {
    if (this.writing || this.shown === this.text) return undefined;
    this.writing = 'marked';
    return [this.text + MARK, this.text];
  }

  /** The input showed `before`, now `after` (typed by the user): the same edit to the text. */
  private edit(before: string, after: string) {
    let p = 0;
    while (p < before.length && p < after.length && before[p] === after[p]) p++;
    let s = 0;
    const most = Math.min(before.length, after.length) - p;
    while (s < most && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
    const e = before.length - s;
    const removed = before.slice(p, e).split(MARK).join('');
    const inserted = after
      .slice(p, after.length - s)
      .split(MARK)
      .join('');
    // Positions in what was shown, in the text. The text is what was shown with one stretch changed: keys it lacks
    // (typed before any key typed now) or keys it showed that are not there (the MARK). A key typed at the edge of
    // that stretch goes after it; one key deleted (Backspace) is the last one typed before the caret.
    let start: number;
    let end: number;
    if (!removed) start = end = this.map(before, p, 'after');
    else if (removed.length === 1 && !inserted) {
      end = this.map(before, e, 'after');
      start = end - 1;
    } else {
      start = this.map(before, p, 'before');
      end = Math.max(start, this.map(before, e, 'after'));
    }
    this.text = this.text.slice(0, start) + inserted + this.text.slice(end);
    if (start < this.split) this.split = start + inserted.length + Math.max(0, this.split - end);
  }

  /** Position `q` of `shown` in the text (see edit). */
  private map(shown: string, q: number, bias: 'before' | 'after'): number {
    const t = this.text;
    let a = 0;
    while (a < shown.length && a < t.length && shown[a] === t[a]) a++;
    let b = 0;
    const most = Math.min(shown.length, t.length) - a;
    while (b < most && shown[shown.length - 1 - b] === t[t.length - 1 - b]) b++;
    const shownEnd = shown.length - b; // shown[a, shownEnd) stands where the text has t[a, tEnd)
    const tEnd = t.length - b;
    if (q < a) return q;
    if (q > shownEnd) return q + t.length - shown.length;
    if (a === shownEnd) return bias === 'before' ? a : tEnd;
    if (q === a) return a;
    if (q === shownEnd) return tEnd;
    return bias === 'before' ? a : tEnd;
  }
}
