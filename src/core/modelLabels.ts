/**
 * What the labels (status bar, chat badge) say about the models in use. Built from the live connections only, so a
 * label cannot disagree with the model a request names.
 */
export interface ModelInUse {
  /** The model id requests name ('' when there is no connection). */
  model: string;
  /** The built-in demo model. */
  demo: boolean;
  /** The provider's label and base URL (never credentials), e.g. "OpenAI (Responses…) · gpt-5.1-codex · api.openai.com/v1". */
  describe: string;
  /** Why there is no connection, when there is none. */
  problem?: string;
  /** What the user should know about this choice (e.g. why deep mode uses the demo model and how to change it). */
  note?: string;
}

export interface ModelsInUse {
  fast: ModelInUse;
  deep: ModelInUse;
}

/** One model's short name: its id, "demo model", or "not configured". */
export function shortModelName(m: ModelInUse): string {
  if (m.problem) return 'not configured';
  if (m.demo) return 'demo model';
  return m.model || '…';
}

/** The status bar's model part: "demo model", "gpt-5.1-codex-mini, deep gpt-5.1-codex", "gpt-4.1-mini, deep demo model". */
export function statusModels(m: ModelsInUse): string {
  const f = shortModelName(m.fast);
  const d = shortModelName(m.deep);
  return f === d ? f : `${f}, deep ${d}`;
}

/** The longer text (tooltip, badge title): each model with its provider and endpoint, then the notes. */
export function modelDetails(m: ModelsInUse): string[] {
  const line = (name: string, x: ModelInUse) =>
    `${name}: ${x.problem ? `not configured (${x.problem})` : x.demo ? `the built-in demo model (${x.describe})` : x.describe}`;
  const out = [line('Fast', m.fast), line('Deep', m.deep)];
  for (const x of [m.fast, m.deep]) if (x.note && !out.includes(x.note)) out.push(x.note);
  return out;
}
