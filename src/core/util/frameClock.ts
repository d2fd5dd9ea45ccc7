/**
 * How long to wait before bringing the document in line with the stream. The first change after a quiet frame
 * goes out at once (the first token is drawn in the next frame, not a frame later); changes that follow within a
 * frame of the last update wait for the rest of it, so a 1,000+ tok/s stream still makes at most one document
 * update per frame (per frame plus the update's round trip, as before this existed: its cadence is unchanged).
 * `lastFlushAt`: when the previous update finished (undefined: none yet). All times in ms on one clock.
 */
export function flushDelay(now: number, lastFlushAt: number | undefined, frameMs: number): number {
  if (lastFlushAt === undefined) return 0;
  return Math.max(0, Math.min(frameMs, lastFlushAt + frameMs - now));
}

/**
 * How long a stream's update waits while its first hunk is still being written (issue 17: the first usable Accept).
 * Our edits go out one at a time (each waits for the workbench's answer to the one before: ~20 ms): an update of the
 * half-written hunk that went out just before the hunk completed held the edit that shows it, and its ✓, for up to
 * that round trip (p50 17.7 ms from "hunk complete" to its edit sent, session-11 bench). So once the first change is
 * out, and until the first hunk is whole, updates go out at most every `holdMs` after the one before landed (the
 * edit that completes the hunk goes at once: scheduleFlush), and the way is mostly clear when the hunk completes.
 * Otherwise as `flushDelay`.
 */
export function firstHunkDelay(now: number, lastFlushAt: number | undefined, frameMs: number, holdMs: number): number {
  return flushDelay(now, lastFlushAt, Math.max(frameMs, holdMs)); // the first change still at once
}
