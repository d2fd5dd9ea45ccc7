import picomatch from 'picomatch';

/** Files whose content is never sent to a model, as context or as the code to edit. */
export const DEFAULT_IGNORED = [
  '**/.env',
  '**/.env.*',
  '**/*.pem',
  '**/*.key',
  '**/id_rsa*',
  '**/id_ed25519*',
  '**/secrets/**',
  '**/.secrets/**',
  '**/*.p12',
  '**/*.pfx',
];

export class ContentPolicy {
  private readonly match: (path: string) => boolean;
  constructor(readonly patterns: readonly string[] = DEFAULT_IGNORED) {
    const valid = patterns.filter((p) => typeof p === 'string' && p.trim());
    this.match = valid.length ? picomatch(valid, { dot: true, nocase: true }) : () => false;
  }

  /** Is this workspace-relative path on the ignore list? */
  ignored(relPath: string): boolean {
    const p = relPath.replace(/\\/g, '/').replace(/^\.\//, '');
    return this.match(p) || this.match(p.split('/').pop() ?? p);
  }

  /**
   * May this file's content go to a model? Untrusted workspace (Restricted Mode): nothing at all, until the
   * user trusts it. Ignored files: never.
   */
  check(relPath: string, trusted: boolean): { ok: true } | { ok: false; reason: string } {
    if (!trusted)
      return {
        ok: false,
        reason:
          'this workspace is not trusted (Restricted Mode): Spark Edit sends no file content to a model until you trust it',
      };
    if (this.ignored(relPath))
      return { ok: false, reason: `${relPath} matches "sparkEdit.ignoredFiles": its content is never sent to a model` };
    return { ok: true };
  }
}

export function isLoopback(url: string): boolean {
  try {
    // Only the literal loopback names: `127.0.0.1.nip.io` or `localhost.example.com` resolve wherever their DNS says.
    const h = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return h === 'localhost' || h === '::1' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(h);
  } catch {
    return false;
  }
}

/** A clear problem with an endpoint, or undefined when it is usable: plain http/ws only to this machine. */
export function endpointProblem(
  url: string,
  allowInsecure: boolean,
  setting = 'sparkEdit.endpoint',
): string | undefined {
  if (!url) return `"${setting}" is empty: this provider needs a URL.`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${setting}" is not a URL: ${url}`;
  }
  if (!/^(https?|wss?):$/.test(u.protocol)) return `"${setting}" must be an http(s) or ws(s) URL, not ${u.protocol}`;
  const plain = u.protocol === 'http:' || u.protocol === 'ws:';
  if (plain && !isLoopback(url) && !allowInsecure) {
    return `"${setting}" uses unencrypted ${u.protocol.slice(0, -1)}:// to a non-local host; use https:// (or set "sparkEdit.allowInsecureEndpoint" if you really mean it).`;
  }
  return undefined;
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && !!x.trim()) : undefined;

/**
 * The ignore list in effect: the user's own list (or the defaults when the user set none), plus whatever a
 * workspace or folder adds. A workspace can add patterns, never remove one.
 */
export function effectiveIgnored(userValue: unknown, ...workspaceValues: unknown[]): string[] {
  const out = [...(strings(userValue) ?? DEFAULT_IGNORED)];
  for (const w of workspaceValues) for (const p of strings(w) ?? []) if (!out.includes(p)) out.push(p);
  return out;
}
