/**
 * Issue 11 (HA8): one of Spark Edit's document edits (a replacement of whole lines) split so that the EDITOR puts each
 * cursor where it belongs as it applies the edit, not the extension host a round trip later.
 *
 * In the browser every key is its own round trip to the extension host while the stream's edits go on. VS Code keeps a
 * cursor inside a replaced range at the same offset (when the new text is at least as long there), so after one of
 * our edits the cursor sat inside the model's text until the extension host moved it back: a key typed in that window
 * landed there (the newcomer saw the model's `va` land inside the comment they typed). The editor's rule for a collapsed cursor (VS Code's tracked ranges, both
 * ends followed, then collapsed to the end): a replacement that ends where the cursor is leaves it at the end of the
 * replacement's new text; text after the cursor that no replacement touches stays after it. So: leave the character
 * right after each cursor untouched (its anchor: the same character in the old and the new text), and replace only
 * the runs between anchors. Each cursor then ends right before its anchor, where it belongs. Pieces never touch (an
 * anchor lies between any two), so the editor cannot merge them back into one.
 */

/** Replace old text [from, to) (offsets in the old text) with `text`. */
export interface TextPiece {
  from: number;
  to: number;
  text: string;
}

/**
 * The pieces that turn `oldText` into `newText` with each cursor (old offset `at`) ending at new offset `to`, or null
 * when that cannot be promised; the caller then makes one replacement and moves the cursors after it landed. Each
 * cursor is anchored on the character after it when that stays (the same in both texts), else on the character before
 * it (the user's key just typed, when the model's text after it is withdrawn); the result is checked on the model of
 * the editor (cursorAfter), so a cursor is never promised a place the editor would not give it.
 */
export function anchoredPieces(
  oldText: string,
  newText: string,
  cursors: ReadonlyArray<{ at: number; to: number }>,
): TextPiece[] | null {
  const anchors: Array<{ at: number; to: number }> = [];
  for (const c of [...cursors].sort((x, y) => x.at - y.at || x.to - y.to)) {
    if (c.at < 0 || c.at > oldText.length || c.to < 0 || c.to > newText.length) return null;
    const after = c.at < oldText.length && c.to < newText.length && oldText[c.at] === newText[c.to];
    const a = after ? c : { at: c.at - 1, to: c.to - 1 };
    if (!after && (a.at < 0 || a.to < 0 || oldText[a.at] !== newText[a.to])) return null;
    const last = anchors[anchors.length - 1];
    if (last && last.at === a.at && last.to === a.to) continue; // two cursors on one anchor
    if (last && (a.at <= last.at || a.to <= last.to)) return null;
    anchors.push(a);
  }
  const pieces: TextPiece[] = [];
  let from = 0,
    nfrom = 0;
  for (const c of anchors) {
    if (c.at > from || c.to > nfrom) pieces.push({ from, to: c.at, text: newText.slice(nfrom, c.to) });
    from = c.at + 1;
    nfrom = c.to + 1;
  }
  if (oldText.length > from || newText.length > nfrom)
    pieces.push({ from, to: oldText.length, text: newText.slice(nfrom) });
  return cursors.every((c) => cursorAfter(pieces, c.at) === c.to) ? pieces : null;
}

/**
 * Where the editor puts a collapsed cursor at old offset `p` when `pieces` are applied (VS Code's tracked-range rules:
 * src/vs/editor/common/model/intervalTree.ts nodeAcceptEdit for a range that grows at both edges, then collapsed to its
 * end by the cursor, oneCursor.ts readSelectionFromMarkers). For the unit tests: a model of the editor, checked against
 * the real one by the host tests (typingTable, "a key that reaches the editor right after one of the stream's edits").
 */
export function cursorAfter(pieces: readonly TextPiece[], p: number): number {
  let start = p,
    end = p;
  // Applied from the last to the first (the editor sorts them and applies them back to front).
  for (const x of [...pieces].sort((a, b) => b.from - a.from)) {
    start = markerAfter(start, true, x);
    end = markerAfter(end, false, x);
  }
  return Math.max(start, end);
}

/** One end of a tracked range through one replacement (`sticky`: it stays on an insertion exactly at it). */
function markerAfter(m: number, sticky: boolean, x: TextPiece): number {
  const del = x.to - x.from,
    ins = x.text.length,
    common = Math.min(del, ins);
  const stays = (check: number, forceStay: boolean) => m < check || (m === check && (forceStay || sticky));
  if (stays(x.from, del > 0)) return m;
  if (common > 0 && stays(x.from + common, del > ins)) return m;
  if (stays(x.to, false)) return x.from + ins;
  return m + ins - del;
}
