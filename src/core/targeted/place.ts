/**
 * Where a targeted block goes in the scope: exact match first, then whitespace-tolerant (trailing whitespace, then
 * indentation), then a unique fuzzy match (stale context lines). A block that cannot be placed unambiguously is
 * never guessed: the caller reports it and leaves it out.
 *
 * Only the block's leading old lines are known when it is placed (its context and removed lines up to its first
 * added line): that is what lets its added lines stream in live. The rest of the block is checked line by line as
 * it arrives (see TargetedRewrite).
 */
export type MatchHow = 'exact' | 'whitespace' | 'indentation' | 'fuzzy' | 'header';

export type Placement =
  | { ok: true; at: number; how: MatchHow; reindent: Reindent | null }
  | { ok: false; reason: string; outOfOrder?: boolean; ambiguous?: boolean };

/** Indentation the model got consistently wrong: added lines get the same correction. */
export interface Reindent {
  add: string;
  strip: string;
}

export interface PlaceInput {
  /** The scope's lines (the original, as the model was given it). */
  lines: readonly string[];
  /** The first line the block may start at (blocks come in order; earlier lines are already decided). */
  from: number;
  /** The block's old lines known so far (context and removed). */
  old: readonly string[];
  /** Which of `old` are removed (`-`) lines: a fuzzy match never removes a line that does not match. */
  removed: readonly boolean[];
  /** The `@@` header text, if any. */
  header: string;
}

const ws = (s: string) => s.trim().replace(/\s+/g, ' ');

/** Every start in [from, to) where `old` matches under `eq`. Stops counting at 2 (ambiguity is all we need). */
function matches(
  lines: readonly string[],
  old: readonly string[],
  from: number,
  to: number,
  eq: (a: string, b: string) => boolean,
  limit = 2,
): number[] {
  const out: number[] = [];
  for (let i = from; i + old.length <= to; i++) {
    let ok = true;
    for (let k = 0; k < old.length; k++)
      if (!eq(lines[i + k], old[k])) {
        ok = false;
        break;
      }
    if (ok) {
      out.push(i);
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** The line a `@@` header names (the first at or after `from` that contains it), or -1. */
function headerLine(lines: readonly string[], from: number, header: string): number {
  const h = ws(header);
  if (!h) return -1;
  for (let i = from; i < lines.length; i++) if (ws(lines[i]).includes(h)) return i;
  return -1;
}

export function place(p: PlaceInput): Placement {
  const { lines, old } = p;
  let from = p.from;
  const h = p.header ? headerLine(lines, from, p.header) : -1;
  if (old.length === 0) {
    // A pure insertion: only a header can say where (just after the line it names).
    if (h >= 0) return { ok: true, at: h + 1, how: 'header', reindent: null };
    return {
      ok: false,
      reason: p.header
        ? `its header "${p.header.slice(0, 80)}" is not in the code`
        : 'it has no context lines to place it by',
    };
  }
  if (h >= 0) from = h;
  const to = lines.length;
  const tiers: Array<[MatchHow, (a: string, b: string) => boolean]> = [
    ['exact', (a, b) => a === b],
    ['whitespace', (a, b) => a.trimEnd() === b.trimEnd()],
    ['indentation', (a, b) => ws(a) === ws(b)],
  ];
  for (const [how, eq] of tiers) {
    const m = matches(lines, old, from, to, eq);
    if (m.length === 1)
      return { ok: true, at: m[0], how, reindent: how === 'indentation' ? reindentOf(lines, m[0], old) : null };
    if (m.length > 1)
      return {
        ok: false,
        reason: `its lines occur more than once in the code (${ambiguityHint(p.header)})`,
        ambiguous: true,
      };
  }
  const f = fuzzy(p, from);
  if (f !== null) return f;
  // Not after the blocks already placed: is it before them (out of order), or nowhere?
  if (
    p.from > 0 &&
    matches(lines, old, 0, Math.min(lines.length, p.from + old.length - 1), (a, b) => ws(a) === ws(b), 1).length
  ) {
    return {
      ok: false,
      reason: 'it changes code above an earlier block (blocks must come in the order of the code)',
      outOfOrder: true,
    };
  }
  return { ok: false, reason: 'its lines are not in the code being edited' };
}

function ambiguityHint(header: string): string {
  return header ? 'even below its header' : 'no @@ header to tell them apart';
}

/**
 * A unique window where every removed line matches (whitespace-insensitive) and either at least 60% of the
 * non-blank context lines do, or the removed lines alone are distinctive code: the model's context was stale.
 * Two windows reaching the bar is ambiguous: not placed.
 */
function fuzzy(p: PlaceInput, from: number): Placement | null {
  const { lines, old, removed } = p;
  const want = old.map(ws);
  const ctx = want.filter((w, k) => !removed[k] && w !== '').length;
  const rem = removed.filter(Boolean).length;
  // With no removed line to pin it, stale context would only be a guess at where an insertion goes.
  if (rem === 0) return null;
  const need = Math.ceil(ctx * 0.6);
  const removedText = want.filter((_w, k) => removed[k]).join('');
  const distinctive = removedText.replace(/[^A-Za-z0-9_$]/g, '').length >= 8;
  let found = -1;
  for (let i = from; i + old.length <= lines.length; i++) {
    let ok = true,
      hits = 0;
    for (let k = 0; k < old.length; k++) {
      const eq = ws(lines[i + k]) === want[k];
      if (removed[k] && !eq) {
        ok = false;
        break;
      }
      if (!removed[k] && want[k] !== '' && eq) hits++;
    }
    if (!ok || (hits < need && !distinctive)) continue;
    if (found >= 0)
      return { ok: false, reason: 'its lines only roughly match the code, in more than one place', ambiguous: true };
    found = i;
  }
  return found >= 0 ? { ok: true, at: found, how: 'fuzzy', reindent: reindentOf(lines, found, old) } : null;
}

/** The indentation difference between the code and the model's old lines, if it is the same on every line. */
export function reindentOf(lines: readonly string[], at: number, old: readonly string[]): Reindent | null {
  let r: Reindent | null = null;
  for (let k = 0; k < old.length; k++) {
    const a = lines[at + k],
      b = old[k];
    if (a.trim() === '' || b.trim() === '' || a.trim() !== b.trim()) continue;
    const ia = /^\s*/.exec(a)![0],
      ib = /^\s*/.exec(b)![0];
    const d: Reindent = ia.endsWith(ib)
      ? { add: ia.slice(0, ia.length - ib.length), strip: '' }
      : ib.endsWith(ia)
        ? { add: '', strip: ib.slice(0, ib.length - ia.length) }
        : { add: '\u0000', strip: '' };
    if (r && (r.add !== d.add || r.strip !== d.strip)) return null;
    r = d;
  }
  if (!r || r.add === '\u0000' || (r.add === '' && r.strip === '')) return null;
  return r;
}

export function applyReindent(line: string, r: Reindent | null): string {
  if (!r || line.trim() === '') return line;
  if (r.strip) return line.startsWith(r.strip) ? line.slice(r.strip.length) : line;
  return r.add + line;
}
