import { diffArrays } from 'diff';
import { place } from '../../core/targeted/place';

/**
 * The demo model's targeted format: whatever the demo's rewrite of the scope is, diff it against the code and answer
 * with `*** Begin Patch` blocks (3 lines of context, blocks merged when their context would overlap). Each block's
 * leading lines are checked with Spark Edit's own placement: when they would not be unique, the block takes more
 * context above it (as a careful model would), so the demo's answers always place.
 */
export function targetedAnswer(code: string, rewritten: string, context = 3): string {
  const a = code.split('\n');
  const b = rewritten.replace(/\n$/, '').split('\n');
  const ops: Array<{ k: ' ' | '-' | '+'; t: string }> = [];
  for (const part of diffArrays(a, b))
    for (const t of part.value) ops.push({ k: part.added ? '+' : part.removed ? '-' : ' ', t });
  const changed: number[] = [];
  ops.forEach((o, i) => {
    if (o.k !== ' ') changed.push(i);
  });
  const out = ['*** Begin Patch'];
  if (changed.length === 0) {
    out.push('*** End Patch');
    return out.join('\n') + '\n';
  }
  // Hunks as [start, end) ranges of ops, merged when the context between two changes is short.
  const hunks: Array<[number, number]> = [];
  for (const i of changed) {
    const last = hunks[hunks.length - 1];
    if (last && i - last[1] <= 2 * context) last[1] = i + 1;
    else hunks.push([i, i + 1]);
  }
  let cursor = 0; // the placer's cursor: the first line after the previous block
  for (const [s0, e0] of hunks) {
    let start = Math.max(0, s0 - context);
    const end = Math.min(ops.length, e0 + context);
    const origAt = (i: number) => ops.slice(0, i).filter((o) => o.k !== '+').length;
    // Extend the context upwards until the block's leading lines are placed exactly where they belong.
    for (let extra = 0; extra < 30 && start > 0; extra++) {
      const lead: string[] = [];
      const removed: boolean[] = [];
      for (let i = start; i < end && ops[i].k !== '+'; i++) {
        lead.push(ops[i].t);
        removed.push(ops[i].k === '-');
      }
      if (lead.length === 0) break; // an insertion first: placed by the lines after it
      const p = place({ lines: a, from: cursor, old: lead, removed, header: '' });
      if (p.ok && p.at === origAt(start)) break;
      start--;
    }
    out.push('@@');
    for (let i = start; i < end; i++) out.push(ops[i].k + ops[i].t);
    cursor = origAt(end);
  }
  out.push('*** End Patch');
  return out.join('\n') + '\n';
}
