/**
 * Diff-quality table (issue 14): for each rewrite of the corpus (bench/diffCorpus.ts) at 200, 1,000 and 5,000 lines,
 * the changed lines the user sees after the stream ends beyond a minimal diff, and whether accept-all rebuilds the
 * model's text (and reject-all the original) byte for byte. Run alone: `node out/bench/diffQuality.js [--json]`.
 */
import { performance } from 'node:perf_hooks';
import { extraBudget, measure, rewrites } from './diffCorpus';

export interface QualityRow {
  size: number;
  rewrite: string;
  minimal: number;
  changed: number;
  extra: number;
  budget: number;
  ok: boolean;
  exact: boolean;
  ms: number;
}

export function diffQuality(sizes = [200, 1000, 5000]): QualityRow[] {
  const rows: QualityRow[] = [];
  for (const size of sizes) {
    for (const rw of rewrites(size)) {
      const t0 = performance.now();
      const q = measure(rw);
      const ms = performance.now() - t0;
      const budget = extraBudget(q.minimal);
      rows.push({
        size,
        rewrite: rw.name,
        minimal: q.minimal,
        changed: q.changed,
        extra: q.extra,
        budget,
        ok: q.extra <= budget,
        exact: q.acceptExact && q.rejectExact,
        ms,
      });
    }
  }
  return rows;
}

export function qualityTable(rows: QualityRow[]): string[] {
  return [
    '| lines | rewrite | minimal diff (changed lines) | shown after the stream | extra | goal ≤ | accept-all = model text, reject-all = original | whole stream, ms |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.size} | ${r.rewrite} | ${r.minimal} | ${r.changed} | ${r.extra}${r.ok ? '' : ' ✗'} | ${r.budget} | ${r.exact ? 'yes' : 'NO'} | ${r.ms.toFixed(1)} |`,
    ),
  ];
}

/** JSON keys: the worst extra over the budget, and whether every row rebuilt the texts exactly. */
export function qualityJson(rows: QualityRow[]) {
  return {
    diff_quality_rows_over_goal: rows.filter((r) => !r.ok).length,
    diff_quality_max_extra_lines: Math.max(...rows.map((r) => r.extra)),
    diff_quality_all_exact: rows.every((r) => r.exact),
    diff_quality: rows.map((r) => ({
      lines: r.size,
      rewrite: r.rewrite,
      minimal: r.minimal,
      extra: r.extra,
      exact: r.exact,
    })),
  };
}

if (require.main === module) {
  const rows = diffQuality();
  console.log(qualityTable(rows).join('\n'));
  if (process.argv.includes('--json')) console.log(JSON.stringify(qualityJson(rows)));
}
