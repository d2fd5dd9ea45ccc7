/**
 * An edit's timeline: when each step from the command to the Accept lens happened, in epoch milliseconds
 * (performance.timeOrigin + performance.now(), comparable across processes on one machine). The extension logs
 * one line per edit in this format; `npm run bench`'s browser stage parses it and lines it up with the
 * timestamps taken in the page (keypress, DOM changes, paint) to show where the felt latency goes.
 */
export const TIMELINE_STEPS = {
  sent: 'request sent',
  firstToken: 'first token',
  firstEditSent: 'first edit sent',
  firstEditApplied: 'first edit applied',
  /** The stream completed its first hunk (the core knows it; the document shows it with a later edit). */
  firstHunkStreamed: 'first hunk streamed',
  firstHunkReady: 'first hunk ready',
  /** The last document edit before the Accept lens was provided (or of the edit, without a lens). */
  lastEditApplied: 'last edit applied',
  acceptLensProvided: 'Accept lens provided',
  /** The per-hunk Accept control as an inlay hint (issue 17: the controls appear with the hunk). */
  acceptInlayProvided: 'Accept inlay provided',
} as const;
export type TimelineStep = keyof typeof TIMELINE_STEPS;
export type TimelineMarks = Partial<Record<TimelineStep, number>>;

export interface Timeline {
  id: number;
  command: number;
  marks: TimelineMarks;
}

const HEAD = /edit (\d+) timeline \(ms after the command at ([\d.]+) epoch ms\): (.*)$/;

/** One log line: steps that happened, in ms after the command (`command` and `marks` in epoch ms). */
export function formatTimeline(t: Timeline): string {
  const parts: string[] = [];
  for (const [k, label] of Object.entries(TIMELINE_STEPS) as Array<[TimelineStep, string]>) {
    const v = t.marks[k];
    if (v !== undefined && Number.isFinite(v)) parts.push(`${label} ${(v - t.command).toFixed(1)}`);
  }
  return `edit ${t.id} timeline (ms after the command at ${t.command.toFixed(3)} epoch ms): ${parts.join(', ') || 'nothing happened'}`;
}

/** The timeline in a log line (anywhere in it, so a log prefix is fine), or null. */
export function parseTimeline(line: string): Timeline | null {
  const m = HEAD.exec(line);
  if (!m) return null;
  const command = Number(m[2]);
  const marks: TimelineMarks = {};
  for (const [k, label] of Object.entries(TIMELINE_STEPS) as Array<[TimelineStep, string]>) {
    const v = new RegExp(`(?:^|, )${label} (-?[\\d.]+)(?:,|$)`).exec(m[3]);
    if (v) marks[k] = command + Number(v[1]);
  }
  return { id: Number(m[1]), command, marks };
}
