import * as vscode from 'vscode';
import { RouteRules } from '../core/deep/router';
import { DEFAULT_IGNORED } from '../core/policy';

/** Per-provider key in SecretStorage; `sparkEdit.apiKey` (the first release's key) still counts for OpenAI. */
export const secretKeyFor = (providerId: string) => `sparkEdit.apiKey.${providerId}`;
export const LEGACY_SECRET_KEY = 'sparkEdit.apiKey';

export interface ModelSettings {
  provider: string;
  /** '' = the preset's URL. */
  endpoint: string;
  /** '' = the preset's default model. */
  model: string;
  predictions: 'auto' | 'on' | 'off';
  wire: 'auto' | 'websocket' | 'http';
}

export interface Settings {
  fast: ModelSettings;
  deep: ModelSettings;
  rules: RouteRules;
  maxConcurrentJobs: number;
  useDemoModelWithoutKey: boolean;
  demoTokensPerSecond: number;
  contextLines: number;
  /** Send the code ahead (generate:false warm-up on the Responses socket) while the instruction is typed. */
  prewarm: boolean;
  allowInsecureEndpoint: boolean;
  maxSelectionLines: number;
  ignoredFiles: string[];
}

/** Settings defined once, with type and default (package.json mirrors these). Bad values fall back to defaults. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('sparkEdit');
  const num = (k: string, d: number, min: number, max: number) => {
    const v = c.get<number>(k, d);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : d;
  };
  const str = (k: string, d: string) => { const v = c.get<string>(k, d); return typeof v === 'string' ? v.trim() : d; };
  // Where requests (and the API key) go is read from user settings only: a repository's .vscode/settings.json
  // must not be able to send your code and key to another server.
  const userOnly = (k: string, d: string) => { const v = c.inspect<string>(k)?.globalValue; return typeof v === 'string' ? v.trim() : d; };
  const pick = <T extends string>(k: string, d: T, allowed: readonly T[]): T => { const v = c.get<string>(k, d) as T; return allowed.includes(v) ? v : d; };
  const model = (prefix: string, provider: string): ModelSettings => ({
    provider: userOnly(`${prefix}provider`, provider) || provider,
    endpoint: userOnly(`${prefix}endpoint`, ''),
    model: str(`${prefix}model`, ''),
    predictions: pick(`${prefix}predictions`, 'auto', ['auto', 'on', 'off'] as const),
    wire: pick(`${prefix}wire`, 'auto', ['auto', 'websocket', 'http'] as const),
  });
  return {
    fast: model('', 'openai'),
    deep: model('deep.', 'anthropic'),
    rules: { enabled: c.get<boolean>('deep.enabled', true) !== false, deepSelectionLines: num('deep.selectionLines', 400, 1, 1_000_000), deepContextChars: num('deep.contextChars', 120_000, 1000, 10_000_000) },
    maxConcurrentJobs: num('deep.maxConcurrentJobs', 2, 1, 16),
    useDemoModelWithoutKey: c.get<boolean>('useDemoModelWithoutKey', true) !== false,
    demoTokensPerSecond: num('demoTokensPerSecond', 1000, 1, 1_000_000),
    contextLines: num('contextLines', 40, 0, 2000),
    prewarm: c.get<boolean>('prewarm', true) !== false,
    allowInsecureEndpoint: c.get<boolean>('allowInsecureEndpoint', false) === true,
    maxSelectionLines: num('maxSelectionLines', 20_000, 1, 1_000_000),
    ignoredFiles: (() => { const v = c.get<unknown>('ignoredFiles'); return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : DEFAULT_IGNORED; })(),
  };
}

/** Settings whose change needs a new connection (the rest are read live). */
export const RECONNECT_SETTINGS = ['sparkEdit.provider', 'sparkEdit.endpoint', 'sparkEdit.model', 'sparkEdit.predictions', 'sparkEdit.wire',
  'sparkEdit.deep', 'sparkEdit.useDemoModelWithoutKey', 'sparkEdit.demoTokensPerSecond', 'sparkEdit.allowInsecureEndpoint'];

export { isLoopback, endpointProblem } from '../core/policy';
