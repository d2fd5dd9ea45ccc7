import * as vscode from 'vscode';
import { ModelInUse, ModelsInUse } from '../core/modelLabels';
import { Connection, ModelConfig, PRESETS, createConnection, preset } from '../core/providers';
import { ModelServer } from '../server/modelServer';
import {
  LEGACY_SECRET_KEY,
  ModelSettings,
  Settings,
  endpointProblem,
  needsReconnect,
  readSettings,
  secretKeyFor,
} from './config';
import { Ctx } from './ctx';
import { Log } from './log';
import { Disposable } from './util/dispose';

/**
 * The model connections: the fast and the deep model from their presets and keys, the built-in demo server when
 * there is no key, the fast model's warm socket, and the connection shown in the status bar. Reconnects when a
 * connection setting or a key changes; other settings are re-read live (see RECONNECT_SETTINGS).
 * The connections are the one source of truth for every label: `models()` and `onDidChangeModels`.
 */
export class ModelConnections extends Disposable {
  fast: Connection | undefined;
  deep: Connection | undefined;
  fastModel = '';
  deepModel = '';
  /** The fast model's base URL. */
  endpoint = '';
  usingDemo = false;
  /** Why the fast model is not connected, when it is not. */
  configProblem: string | undefined;
  /** Why the deep model is not connected, when it is not. */
  deepProblem: string | undefined;
  /** The built-in demo model's server, while one runs (read-only outside; the tests read its live speed). */
  demo: ModelServer | undefined;
  private connecting: Promise<void> = Promise.resolve();
  private readonly settingsRead = this._register(new vscode.EventEmitter<Settings>());
  /** Fires with the settings just read: at each (re)connect and at each live settings change. */
  readonly onDidReadSettings = this.settingsRead.event;
  private readonly fastConfig = this._register(new vscode.EventEmitter<ModelConfig | undefined>());
  /** Fires at each (re)connect with the fast model's configuration (undefined when it cannot connect). */
  readonly onDidSetFastModel = this.fastConfig.event;
  private readonly modelsChanged = this._register(new vscode.EventEmitter<ModelsInUse>());
  /** Fires after each (re)connect with the models now in use (the labels listen). */
  readonly onDidChangeModels = this.modelsChanged.event;
  /** Why deep mode borrows the fast provider or uses the demo model, when it does. */
  private deepNote: string | undefined;
  /** How many reconnects have run (the tests count them). */
  reconnects = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly logs: Log,
  ) {
    super();
    this._register({
      dispose: () => {
        this.fast?.transport.dispose();
        this.deep?.transport.dispose();
        void this.demo?.close();
      },
    });
  }

  /** Connects now and again whenever a connection setting or a key changes. */
  start(): void {
    void this.connect();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('sparkEdit')) return;
        if (needsReconnect(e)) void this.connect();
        else this.applyLive();
      }),
    );
    this._register(
      this.ctx.extension.secrets.onDidChange((e) => {
        if (e.key.startsWith(LEGACY_SECRET_KEY)) void this.connect();
      }),
    );
    void this.refreshKnownKeys();
  }

  /** A live setting changed: re-read the settings; no reconnect. */
  private applyLive(): void {
    this.ctx.settings = readSettings();
    if (this.demo) this.demo.defaultTokensPerSecond = this.ctx.settings.demoTokensPerSecond;
    this.settingsRead.fire(this.ctx.settings);
  }

  /** The models in use, from the live connections (what every label shows). */
  models(): ModelsInUse {
    const info = (c: Connection | undefined, model: string, problem: string | undefined, note?: string): ModelInUse =>
      c
        ? { model: c.model, demo: c.demo, describe: c.describe, note }
        : { model, demo: false, describe: '', problem: problem ?? 'connecting', note };
    return {
      fast: info(this.fast, this.fastModel, this.configProblem),
      deep: info(this.deep, this.deepModel, this.deepProblem, this.deepNote),
    };
  }

  /** Resolves when the (re)connect in progress is done. */
  ready(): Promise<void> {
    return this.connecting;
  }

  /** (Re)connect: on activation, and again when a connection setting or a key changes. */
  connect(): Promise<void> {
    // Serialised: a reconnect waits for the one before it, so two never interleave.
    this.connecting = this.connecting
      .catch(() => undefined)
      .then(() => this.reconnect())
      .catch((e) => {
        this.configProblem = `could not set up the model connection: ${(e as Error).message}`;
        this.ctx.log(this.configProblem);
        this.ctx.status.setConnection('offline', this.configProblem);
      })
      .finally(() => this.modelsChanged.fire(this.models()));
    return this.connecting;
  }

  /** Is the deep model connected? Says why not when it is not. */
  async deepReady(): Promise<boolean> {
    await this.connecting;
    if (this.deep) {
      // Deep mode on the demo model while the fast model is real: said once per connection, with how to change it.
      if (this.deep.demo && !this.usingDemo && this.deepNote && this.noted !== this.deepNote) {
        this.noted = this.deepNote;
        void vscode.window.showInformationMessage(`Spark Edit: ${this.deepNote}`);
      }
      return true;
    }
    void vscode.window.showErrorMessage(
      this.ctx.redact(`Spark Edit: deep mode is not available: ${this.deepProblem ?? 'no deep model'}`),
    );
    return false;
  }

  /**
   * The key for a provider. An environment key belongs to the provider's own host: a custom endpoint gets only a
   * key stored in Spark Edit (Set API Key), never one it happened to find in the environment.
   */
  async keyFor(providerId: string, customEndpoint = false): Promise<string | undefined> {
    const p = preset(providerId);
    const secrets = this.ctx.extension.secrets;
    return (
      (await secrets.get(secretKeyFor(p.id))) ||
      (p.id === 'openai' ? await secrets.get(LEGACY_SECRET_KEY) : undefined) ||
      (p.envKey && !customEndpoint ? process.env[p.envKey] : undefined) ||
      undefined
    );
  }

  /** The deep note last shown in a notification (each is shown once). */
  private noted: string | undefined;

  private async reconnect(): Promise<void> {
    const { ctx } = this;
    this.reconnects++;
    this.fast?.transport.dispose();
    this.deep?.transport.dispose();
    this.fast = undefined;
    this.deep = undefined;
    ctx.settings = readSettings();
    await this.refreshKnownKeys();
    this.settingsRead.fire(ctx.settings);
    const f = await this.resolveModel(ctx.settings.fast, 'sparkEdit.endpoint');
    const d = this.deepOrFast(await this.resolveModel(ctx.settings.deep, 'sparkEdit.deep.endpoint'), f);
    this.usingDemo = f.demo;
    this.endpoint = f.config.baseUrl;
    this.fastModel = f.config.model;
    this.deepModel = d.config.model;
    if (!f.demo && !d.demo && this.demo) {
      await this.demo.close();
      this.demo = undefined;
    }
    if (this.demo) this.demo.defaultTokensPerSecond = ctx.settings.demoTokensPerSecond;
    this.deepProblem = d.problem;
    if (this.deepNote) ctx.log(this.deepNote);
    if (!d.problem) {
      this.deep = createConnection(d.config);
      ctx.log(`deep model: ${this.deep.describe}${d.demo ? ' (demo)' : ''}`);
    }
    this.configProblem = f.problem;
    if (this.configProblem) {
      this.fastConfig.fire(undefined);
      ctx.log(this.configProblem);
      ctx.status.setConnection('offline', ctx.redact(this.configProblem));
      return;
    }
    const c = createConnection(f.config);
    this.fast = c;
    this.fastConfig.fire(f.config);
    ctx.log(`fast model: ${c.describe}${f.demo ? ' (demo)' : ''}`);
    this.modelsChanged.fire(this.models()); // the labels change now, not after the socket is warm
    await this.warm(c, f.config);
  }

  /** Shows the fast connection's state in the status bar; opens its socket ahead of the first request. */
  private async warm(c: Connection, config: ModelConfig): Promise<void> {
    const { ctx } = this;
    c.fallback?.onDidDisableSocket((m) => ctx.status.setConnection('warm', m, 'HTTP'));
    if (c.socket) {
      const t = c.socket;
      t.onDidChangeState((st) => {
        ctx.status.setConnection(st, st === 'offline' && t.lastError ? ctx.redact(t.lastError.message) : '');
        if (st === 'offline') ctx.log(`offline: ${t.lastError?.message ?? 'unknown'}`);
      });
      ctx.status.setConnection('connecting');
      await t.connect(); // pre-warm: the socket is open before the first request
    } else {
      ctx.status.setConnection('warm', '', config.preset.protocol === 'anthropic' ? 'Anthropic' : 'HTTP');
    }
  }

  /** Every key this session could know, for redaction. */
  private async refreshKnownKeys(): Promise<void> {
    const secrets = this.ctx.extension.secrets;
    const keys: Array<string | undefined> = [await secrets.get(LEGACY_SECRET_KEY)];
    for (const p of PRESETS) {
      keys.push(await secrets.get(secretKeyFor(p.id)));
      if (p.envKey) keys.push(process.env[p.envKey]);
    }
    this.logs.redactor.setKeys(keys);
  }

  /**
   * Deep mode with a key for the fast provider only: with no deep provider, endpoint or model chosen and a preset
   * that has a deep model, the fast provider's deep model on the fast model's connection settings; otherwise the demo
   * model, and the note says so and how to change it.
   */
  private deepOrFast(d: Resolved, f: Resolved): Resolved {
    this.deepNote = undefined;
    if (!d.demo || f.demo || f.problem) return d;
    const { settings } = this.ctx;
    const fp = f.config.preset;
    const dp = preset(settings.deep.provider);
    if (!settings.deep.chosen && fp.deepModel) {
      const predictions = settings.deep.predictions === 'auto' ? fp.predictions : settings.deep.predictions === 'on';
      this.deepNote = `Deep mode uses ${fp.label} · ${fp.deepModel}: there is no ${dp.label} key (sparkEdit.deep.provider).`;
      return {
        config: { ...f.config, model: fp.deepModel, predictions, wire: settings.deep.wire, demo: false },
        demo: false,
        problem: f.problem,
      };
    }
    this.deepNote =
      `Deep mode uses the built-in demo model (no ${dp.label} key${settings.deep.chosen ? '' : `; ${fp.label} has no deep model`}). ` +
      'Set its key (Spark Edit: Set API Key) or pick sparkEdit.deep.provider.';
    return d;
  }

  /** A model configuration from settings; with no key and no explicit endpoint, the built-in demo model. */
  private async resolveModel(ms: ModelSettings, setting: string): Promise<Resolved> {
    const { settings, log } = this.ctx;
    const p = preset(ms.provider);
    const key = await this.keyFor(
      p.id,
      !!ms.endpoint && ms.endpoint.replace(/\/+$/, '') !== p.baseUrl.replace(/\/+$/, ''),
    );
    const useDemo = !key && settings.useDemoModelWithoutKey && !ms.endpoint && p.keyRequired;
    if (useDemo && !this.demo) {
      this.demo = await new ModelServer({ defaultTokensPerSecond: settings.demoTokensPerSecond }).listen();
      log(`no API key: using the built-in demo model on ${this.demo.url}`);
    }
    const baseUrl = useDemo ? this.demo!.url : ms.endpoint || p.baseUrl;
    const config: ModelConfig = {
      preset: p,
      baseUrl,
      model: ms.model || (useDemo ? 'spark-demo' : p.defaultModel),
      apiKey: key,
      predictions: ms.predictions === 'auto' ? p.predictions : ms.predictions === 'on',
      wire: ms.wire,
      demo: useDemo,
      log,
    };
    return { config, demo: useDemo, problem: endpointProblem(baseUrl, settings.allowInsecureEndpoint, setting) };
  }
}

interface Resolved {
  config: ModelConfig;
  demo: boolean;
  problem?: string;
}
