/**
 * Whether `p` settles (resolves or rejects) within `ms`; the timer is cleared either way. For waits that must never
 * last for ever (a decision waiting for its preview to come back, the first edit waiting for its gate).
 */
export async function settlesWithin(p: PromiseLike<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve(p).then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
