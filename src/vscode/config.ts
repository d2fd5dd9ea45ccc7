import * as vscode from 'vscode';

export const SECRET_KEY = 'sparkEdit.apiKey';
export const DEFAULT_ENDPOINT = 'https://api.openai.com/v1';

export interface Settings {
  endpoint: string;
  model: string;
  useDemoModelWithoutKey: boolean;
  demoTokensPerSecond: number;
  contextLines: number;
  allowInsecureEndpoint: boolean;
  maxSelectionLines: number;
}

/** Settings defined once, with type and default (package.json mirrors these). */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('sparkEdit');
  const num = (k: string, d: number, min: number, max: number) => {
    const v = c.get<number>(k, d);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : d;
  };
  const str = (k: string, d: string) => { const v = c.get<string>(k, d); return typeof v === 'string' && v.trim() ? v.trim() : d; };
  return {
    endpoint: str('endpoint', DEFAULT_ENDPOINT),
    model: str('model', 'gpt-5.1-codex-mini'),
    useDemoModelWithoutKey: c.get<boolean>('useDemoModelWithoutKey', true) !== false,
    demoTokensPerSecond: num('demoTokensPerSecond', 1000, 1, 1_000_000),
    contextLines: num('contextLines', 40, 0, 2000),
    allowInsecureEndpoint: c.get<boolean>('allowInsecureEndpoint', false) === true,
    maxSelectionLines: num('maxSelectionLines', 20_000, 1, 1_000_000),
  };
}

/** Settings whose change needs a new connection (the rest are read live). */
export const RECONNECT_SETTINGS = ['sparkEdit.endpoint', 'sparkEdit.model', 'sparkEdit.useDemoModelWithoutKey', 'sparkEdit.demoTokensPerSecond', 'sparkEdit.allowInsecureEndpoint'];

export function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\./.test(h);
  } catch { return false; }
}

/** A clear problem with the endpoint setting, or undefined when it is usable. */
export function endpointProblem(url: string, allowInsecure: boolean): string | undefined {
  let u: URL;
  try { u = new URL(url); } catch { return `"sparkEdit.endpoint" is not a URL: ${url}`; }
  if (!/^(https?|wss?):$/.test(u.protocol)) return `"sparkEdit.endpoint" must be an http(s) or ws(s) URL, not ${u.protocol}`;
  const plain = u.protocol === 'http:' || u.protocol === 'ws:';
  if (plain && !isLoopback(url) && !allowInsecure) {
    return `"sparkEdit.endpoint" uses unencrypted ${u.protocol.slice(0, -1)}:// to a non-local host; use https:// (or set "sparkEdit.allowInsecureEndpoint" if you really mean it).`;
  }
  return undefined;
}
