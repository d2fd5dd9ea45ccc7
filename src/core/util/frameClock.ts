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
