/** Of the paths found, the demo workspace's (a `demo/` folder) first, then the shortest. */
export function pickDemoFile(paths: string[]): string | undefined {
  const rank = (p: string) => (/(^|\/)demo\//.test(p) ? 0 : 1);
  return [...paths].sort((a, b) => rank(a) - rank(b) || a.length - b.length || a.localeCompare(b))[0];
}
