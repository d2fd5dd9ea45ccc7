import * as vscode from 'vscode';
import { RouteRules } from '../core/deep/router';
import { effectiveIgnored } from '../core/policy';

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
  /** The user set this model's provider, endpoint or model (deep mode then never borrows the fast provider). */
  chosen: boolean;
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
  /** Rewrite or targeted blocks (src/core/targeted); auto picks by scope size. */
  editFormat: 'auto' | 'rewrite' | 'targeted';
  ignoredFiles: string[];
  customRefactors: Array<{ name: string; instruction: string }>;
}

/**
 * Settings a repository's .vscode/settings.json must not decide (package.json gives them `application` scope and
 * lists them in restrictedConfigurations): where requests and keys go, which model (and bill) they use, how much
 * code is sent and routed to the deep model, and the instructions sent with your key. They are read from the
 * user's own settings only.
 */
export const USER_ONLY_SETTINGS = [
  'provider',
  'endpoint',
  'model',
  'deep.provider',
  'deep.endpoint',
  'deep.model',
  'deep.enabled',
  'deep.selectionLines',
  'deep.contextChars',
  'deep.maxConcurrentJobs',
  'useDemoModelWithoutKey',
  'demoTokensPerSecond',
  'contextLines',
  'allowInsecureEndpoint',
  'customRefactors',
];

/** Settings defined once, with type and default (package.json mirrors these). Bad values fall back to defaults. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('sparkEdit');
  // Where requests (and the API key) go, which model, how much is sent: read from user settings only, so a
  // repository's .vscode/settings.json cannot change them (see USER_ONLY_SETTINGS).
  const user = <T>(k: string): T | undefined => c.inspect<T>(k)?.globalValue;
  const num = (k: string, d: number, min: number, max: number) => {
    const v = user<number>(k) ?? d;
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : d;
  };
  const userOnly = (k: string, d: string) => {
    const v = c.inspect<string>(k)?.globalValue;
    return typeof v === 'string' ? v.trim() : d;
  };
  const pick = <T extends string>(k: string, d: T, allowed: readonly T[]): T => {
    const v = c.get<string>(k, d) as T;
    return allowed.includes(v) ? v : d;
  };
  const model = (prefix: string, provider: string): ModelSettings => ({
    provider: userOnly(`${prefix}provider`, provider) || provider,
    endpoint: userOnly(`${prefix}endpoint`, ''),
    model: userOnly(`${prefix}model`, ''),
    predictions: pick(`${prefix}predictions`, 'auto', ['auto', 'on', 'off'] as const),
    wire: pick(`${prefix}wire`, 'auto', ['auto', 'websocket', 'http'] as const),
    chosen: ['provider', 'endpoint', 'model'].some((k) => !!userOnly(`${prefix}${k}`, '')),
  });
  return {
    fast: model('', 'openai'),
    deep: model('deep.', 'anthropic'),
    rules: {
      enabled: user<boolean>('deep.enabled') !== false,
      deepSelectionLines: num('deep.selectionLines', 400, 1, 1_000_000),
      deepContextChars: num('deep.contextChars', 120_000, 1000, 10_000_000),
    },
    maxConcurrentJobs: num('deep.maxConcurrentJobs', 2, 1, 16),
    useDemoModelWithoutKey: user<boolean>('useDemoModelWithoutKey') !== false,
    demoTokensPerSecond: num('demoTokensPerSecond', 1000, 1, 1_000_000),
    contextLines: num('contextLines', 40, 0, 2000),
    prewarm: c.get<boolean>('prewarm', true) !== false,
    allowInsecureEndpoint: user<boolean>('allowInsecureEndpoint') === true,
    maxSelectionLines: num('maxSelectionLines', 20_000, 1, 1_000_000),
    editFormat: pick('editFormat', 'auto', ['auto', 'rewrite', 'targeted'] as const),
    ignoredFiles: ignoredFiles(),
    customRefactors: (
      (user<unknown>('customRefactors') as Array<{ name: string; instruction: string }> | undefined) ?? []
    ).filter((x) => x && typeof x.name === 'string' && typeof x.instruction === 'string' && x.instruction.trim()),
  };
}

/** The ignore list: the user's (or the defaults), plus what the workspace and its folders add; never less. */
export function ignoredFiles(): string[] {
  const i = vscode.workspace.getConfiguration('sparkEdit').inspect<unknown>('ignoredFiles');
  const folders = (vscode.workspace.workspaceFolders ?? []).map(
    (f) => vscode.workspace.getConfiguration('sparkEdit', f.uri).inspect<unknown>('ignoredFiles')?.workspaceFolderValue,
  );
  return effectiveIgnored(i?.globalValue, i?.workspaceValue, ...folders);
}

/** `sparkEdit.editFormat`, read when an edit starts (it needs no reconnect). */
export function readEditFormat(): Settings['editFormat'] {
  const v = vscode.workspace.getConfiguration('sparkEdit').get<string>('editFormat', 'auto');
  return v === 'rewrite' || v === 'targeted' ? v : 'auto';
}

/** `sparkEdit.preview.removedLines`, read when an edit starts (issue 11): removed lines as comments or as code. */
export function readRemovedLines(): 'comment' | 'code' {
  return vscode.workspace.getConfiguration('sparkEdit').get<string>('preview.removedLines', 'comment') === 'code'
    ? 'code'
    : 'comment';
}

/**
 * Settings whose change needs a new connection: where requests go, with which key, model and wire. Every other
 * `sparkEdit.*` setting is live: re-read into `ctx.settings` at once and used by the next request (the demo
 * model's speed, deep routing and its job limit, context, prewarm, limits, the ignore list, custom refactors).
 * The README's settings table says which is which.
 */
export const RECONNECT_SETTINGS = [
  'sparkEdit.provider',
  'sparkEdit.endpoint',
  'sparkEdit.model',
  'sparkEdit.predictions',
  'sparkEdit.wire',
  'sparkEdit.deep.provider',
  'sparkEdit.deep.endpoint',
  'sparkEdit.deep.model',
  'sparkEdit.deep.predictions',
  'sparkEdit.deep.wire',
  'sparkEdit.useDemoModelWithoutKey',
  'sparkEdit.allowInsecureEndpoint',
];

/** Does this configuration change need a reconnect (rather than a live re-read)? */
export const needsReconnect = (e: vscode.ConfigurationChangeEvent): boolean =>
  RECONNECT_SETTINGS.some((s) => e.affectsConfiguration(s));

export { isLoopback, endpointProblem } from '../core/policy';
