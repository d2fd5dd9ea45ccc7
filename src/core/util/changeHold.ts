/**
 * What a preview makes of one document change the moment it arrives (issue 11, CI 36): the document's version then,
 * and which of its own edits still in flight the change looks exactly like (same version, same text at the same place).
 */
export interface ChangeReceipt {
  version: number;
  match: OwnEditInFlight | null;
}

/** One of a preview's own edits, sent and not answered yet. `answered`: whether the editor applied it. */
export interface OwnEditInFlight {
  answered?: boolean;
  /** Called once, when the editor's answer comes back (or the edit failed). */
  onAnswer(f: () => void): void;
}

/** A preview as the hold sees it (SessionView). */
export interface ChangeFollower<E> {
  receive(e: E): ChangeReceipt;
}

interface Held<V, E> {
  e: E;
  receipts: Map<V, ChangeReceipt>;
}

/** Documents whose changes are held, and the promise that resolves once they are handed on. */
const held = new Map<object, { done: Promise<void>; resolve: () => void }>();

/**
 * Resolves once no change to `doc` is held: the previews' mirrors are then in step with the document (a preview plans
 * its next edit from its mirror and the document's lines, so it waits for this first).
 */
export function changesHanded(doc: object): Promise<void> | undefined {
  return held.get(doc)?.done;
}

/** How long a change waits for the answer of the edit it looks like before it is taken as that edit (never seen). */
export const ANSWER_WAIT_MS = 2000;

/**
 * Holds a document's changes, in order, while one of them looks exactly like one of our edits whose answer has not come
 * back (issue 11, CI 36: keys typed at the end of "    for (var …" came out without the space typed first). The
 * user's key can reach the editor right before our edit that writes the same text at the same place (the model's next token was
 * " "): the key's change event is then indistinguishable from our edit's (same version, same text), our edit is
 * refused (it is version-checked), and the key, taken for the model's text, was withdrawn with the half line. The
 * editor answers our edit right after the change event it caused, so the change is handed on once the answer is in:
 * ours if the edit was applied, the user's if it was refused. Later changes wait behind it so every preview sees the
 * document's changes in the order they were made.
 */
export class ChangeHold<D extends object, E extends { document: D }, V extends ChangeFollower<E>> {
  private readonly queues = new Map<D, Held<V, E>[]>();

  constructor(
    private readonly handle: (e: E, receipts: Map<V, ChangeReceipt>) => void,
    private readonly log: (m: string) => void,
  ) {}

  /** A change to `e.document`, whose previews are `views`: handed on now, or after the answers it waits for. */
  offer(e: E, views: readonly V[]): void {
    const receipts = new Map(views.map((v) => [v, v.receive(e)] as const));
    const q = this.queues.get(e.document);
    if (q) {
      q.push({ e, receipts });
      return;
    }
    if (!unanswered(receipts).length) {
      this.handle(e, receipts);
      return;
    }
    this.queues.set(e.document, [{ e, receipts }]);
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    held.set(e.document, { done, resolve });
    this.wait(e.document, receipts);
  }

  /** Whether changes to `doc` are being held. */
  holding(doc: D): boolean {
    return this.queues.has(doc);
  }

  private wait(doc: D, receipts: Map<V, ChangeReceipt>): void {
    let done = false;
    const go = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (timedOut)
        this.log(`a change still waited for the answer of our edit after ${ANSWER_WAIT_MS} ms: taken as that edit`);
      this.drain(doc, timedOut);
    };
    const timer = setTimeout(() => go(true), ANSWER_WAIT_MS);
    const left = unanswered(receipts);
    let n = left.length;
    for (const x of left) x.onAnswer(() => --n <= 0 && go(false));
  }

  /** Hand on the held changes in order, up to the next one that waits for an answer not come back yet. */
  private drain(doc: D, timedOut: boolean): void {
    const q = this.queues.get(doc);
    if (!q) return;
    let first = true;
    while (q.length) {
      const h = q[0];
      if (!(first && timedOut) && unanswered(h.receipts).length) {
        this.wait(doc, h.receipts);
        return;
      }
      first = false;
      q.shift();
      try {
        this.handle(h.e, h.receipts);
      } catch (err) {
        this.log(`a held change failed to apply: ${(err as Error).message}`);
      }
    }
    this.queues.delete(doc);
    held.get(doc)?.resolve();
    held.delete(doc);
  }
}

function unanswered<V>(receipts: Map<V, ChangeReceipt>): OwnEditInFlight[] {
  return [...receipts.values()].flatMap((r) => (r.match && r.match.answered === undefined ? [r.match] : []));
}
