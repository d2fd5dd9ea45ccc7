import { performance } from 'node:perf_hooks';
import { TARGETED_INSTRUCTIONS, retryLeftOutMessage } from '../targeted/prompt';
import { TargetedRewrite, leftOutMessage } from '../targeted/rewrite';
import {
  EDIT_INSTRUCTIONS,
  EditPromptInput,
  continueInput,
  editInstructionPrompt,
  editPrompt,
  redirectInput,
} from '../prompt';
import { InputMessage, assistantMessage, userMessage } from '../protocol/responses';
import {
  ActiveStream,
  ModelError,
  ModelRequest,
  ModelTransport,
  StopReason,
  StreamResult,
  StreamStats,
} from '../transport/types';
import { Emitter } from '../util/emitter';
import { Hunk, PreviewRegion, SavedProposal } from './region';

/** A line being written held back as too short to tell where it goes is drawn after this long without a token. */
export const UNSHOWN_MS = 150;

/**
 * requesting → streaming → pending → done, with interrupt (streaming → pending) and
 * redirect (streaming|pending → requesting with a new instruction). `failed` keeps nothing pending.
 */
export type SessionState = 'requesting' | 'streaming' | 'pending' | 'done' | 'failed';

export interface EditStats {
  /** ms from the edit command to the request's first byte handed to the socket. */
  sendLatencyMs?: number;
  /** ms from the edit command to the first token. */
  ttftMs?: number;
  tokensPerSecond?: number;
  deltas: number;
  chars: number;
  warm: boolean;
  resentFullInput?: boolean;
  transport?: string;
  fellBack?: boolean;
  acceptedPredictionTokens?: number;
  rejectedPredictionTokens?: number;
}

export interface EditSessionOptions {
  region: PreviewRegion;
  prompt: EditPromptInput;
  model: string;
  transport: ModelTransport;
  /** performance.now() when the user's command started (for time to first byte/token). */
  commandStartedAt?: number;
  /** Stop a runaway answer after this many characters (what arrived stays pending). Default 2 MB. */
  maxOutputChars?: number;
  log?: (m: string) => void;
  /** A warm-up (`generate: false`) that already sent `context` (editContextPrompt of this prompt): chain to it. */
  warm?: { responseId: string; context: InputMessage };
  /** A settled preview restored by undo/redo: pending from the start, nothing to request. */
  resumed?: boolean;
}

export type SessionEvent =
  | { kind: 'content' } // rows changed (streamed text, hunk resolved): re-render
  | { kind: 'state'; state: SessionState }
  | { kind: 'error'; error: ModelError; kept: boolean }
  // Targeted blocks that could not be placed (left out, nothing changed there): the user is told.
  | { kind: 'notice'; message: string };

/** What the answer streams into: the line diff of a rewrite, or the targeted-block adapter (same region). */
type AnswerSink = { push(text: string): void; end(): void };

let nextSessionId = 1;

export class EditSession {
  readonly id = nextSessionId++;
  readonly region: PreviewRegion;
  private _state: SessionState = 'requesting';
  private stream: ActiveStream | null = null;
  /** When the last token arrived, and the timer that draws a held-back line being written after a pause. */
  private lastDeltaAt = 0;
  private unshownTimer: ReturnType<typeof setTimeout> | undefined;
  private diff: AnswerSink | null = null;
  private streamedText = '';
  private lastResponseId: string | undefined;
  /** Why the last generation ended, when the model said (a truncated answer can be continued). */
  private lastStop: StopReason | undefined;
  /** Commentary of the current generation (Responses `phase: "commentary"`): logged, never inserted. */
  private commentary = '';
  /** The current answer came labelled `phase: "final_answer"`. */
  private answerPhase: 'final_answer' | undefined;
  private prompt: EditPromptInput;
  /** performance.now() when the command started; for a redirect or a continuation, when it was sent (issue 15). */
  startedAt: number;
  stats: EditStats = { deltas: 0, chars: 0, warm: false };
  error: ModelError | undefined;
  private readonly emitter = new Emitter<SessionEvent>();
  readonly onEvent = this.emitter.event;
  /** Resolves when the current generation ends (completed, interrupted, failed). */
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly o: EditSessionOptions) {
    this.region = o.region;
    this.prompt = o.prompt;
    this.startedAt = o.commandStartedAt ?? performance.now();
    if (o.resumed) this._state = 'pending';
  }

  /** The prompt as it stands (after redirects), e.g. to restore this preview later. */
  get promptInput(): EditPromptInput {
    return this.prompt;
  }

  get state(): SessionState {
    return this._state;
  }
  get isStreaming(): boolean {
    return this._state === 'requesting' || this._state === 'streaming';
  }
  get instruction(): string {
    return this.prompt.instruction;
  }
  get text(): string {
    return this.streamedText;
  }
  /** The last answer was cut off by an output limit: `continueAnswer()` asks the model for the rest. */
  get canContinue(): boolean {
    return !this.isStreaming && this._state === 'pending' && this.lastStop?.kind === 'max_tokens';
  }

  private setState(s: SessionState) {
    if (this._state === s) return;
    this._state = s;
    this.emitter.fire({ kind: 'state', state: s });
    if (s === 'pending' || s === 'done' || s === 'failed') {
      const w = this.settledWaiters.splice(0);
      w.forEach((f) => f());
    }
  }

  /** Resolves once the generation is no longer running. */
  whenSettled(): Promise<void> {
    if (!this.isStreaming) return Promise.resolve();
    return new Promise((r) => this.settledWaiters.push(r));
  }

  /** Before start(): chain the request to a warm-up that already sent this prompt's context (see EditSessionOptions.warm). */
  useWarmup(w: { responseId: string; context: InputMessage }): void {
    if (!this.stream) this.warm = w;
  }
  private warm: { responseId: string; context: InputMessage } | undefined;

  start(): void {
    const w = this.warm ?? this.o.warm;
    if (w) {
      // The context was sent ahead (generate: false): only the instruction goes now, chained to it; the full
      // input (the same two messages) is the fallback if the socket no longer has the warm-up.
      const instruction = userMessage(editInstructionPrompt(this.prompt.instruction, this.prompt.format));
      this.ask([w.context, instruction], { incrementalInput: [instruction], previousResponseId: w.responseId });
      return;
    }
    this.ask([userMessage(editPrompt(this.prompt))]);
  }

  /** One request of this edit: the model, the instructions and the prediction (the code as it now is) never vary. */
  private ask(
    input: InputMessage[],
    more: Pick<ModelRequest, 'incrementalInput' | 'previousResponseId'> = {},
    prefix = '',
  ) {
    // Targeted blocks are not a rewrite of the code: the code as a prediction would only be rejected tokens.
    const targeted = this.prompt.format === 'targeted';
    this.run(
      {
        model: this.o.model,
        instructions: targeted ? TARGETED_INSTRUCTIONS : EDIT_INSTRUCTIONS,
        input,
        ...more,
        prediction: targeted ? undefined : this.prompt.code,
      },
      prefix,
    );
  }

  /** The sink of one generation: the streaming line diff, or (targeted format) the adapter placing blocks. */
  private createSink(): AnswerSink {
    if (this.prompt.format !== 'targeted') return this.region.createDiff();
    const t: TargetedRewrite = new TargetedRewrite(this.region.original, this.region, {
      onBlock: (r) =>
        this.o.log?.(
          `edit ${this.id}: block ${r.block} ${r.outcome}${r.how ? ` (${r.how} match, line ${(r.at ?? 0) + 1} of the scope)` : ''}${r.reason ? `: ${r.reason}` : ''}`,
        ),
      onNote: (m) => this.o.log?.(`edit ${this.id}: ${m}`),
    });
    this.targeted = t;
    return t;
  }
  private targeted: TargetedRewrite | null = null;
  /** The last generation's message about targeted blocks left out, if any. */
  leftOut: string | undefined;

  /** Tell the user about targeted blocks that were left out (once per generation). */
  private reportLeftOut() {
    const t = this.targeted;
    this.targeted = null;
    const m = t ? leftOutMessage(t.reports) : undefined;
    this.leftOutReasons = t
      ? t.reports
          .filter((r) => r.outcome !== 'placed')
          .map((r) => `change ${r.block}${r.firstLine ? ` (at "${r.firstLine}")` : ''}: ${r.reason}`)
      : [];
    if (m) {
      this.leftOut = m;
      this.o.log?.(`edit ${this.id}: ${m}`);
      this.emitter.fire({ kind: 'notice', message: m });
    }
  }
  private leftOutReasons: string[] = [];

  /** Blocks of the last targeted answer were left out, and what was placed is pending: `retryLeftOut()` may ask again. */
  get canRetryLeftOut(): boolean {
    return !this.isStreaming && this._state === 'pending' && this.leftOutReasons.length > 0;
  }

  /**
   * Recovery for blocks left out: ask the model for its whole answer again, told which blocks could not be placed and
   * why (more context, an @@ header, the order of the code). Like a redirect: the pending hunks are dropped and the new
   * answer streams in their place; hunks already accepted are part of the code now (sent again when it changed).
   */
  retryLeftOut(): boolean {
    if (!this.canRetryLeftOut) return false;
    const partial = this.streamedText;
    const reasons = this.leftOutReasons;
    this.region.rejectAll();
    this.region.rebase();
    const current = this.region.original.join('\n');
    const ask = userMessage(retryLeftOutMessage(reasons, current !== this.prompt.code ? current : undefined));
    const full = [userMessage(editPrompt(this.prompt)), ...(partial ? [assistantMessage(partial)] : []), ask];
    this.keepPhases(full, partial);
    this.prompt = { ...this.prompt, code: current };
    this.o.log?.(`edit ${this.id}: asking again for the ${reasons.length} change(s) left out`);
    this.emitter.fire({ kind: 'content' });
    this.ask(full, { incrementalInput: [ask], previousResponseId: this.lastResponseId });
    return true;
  }

  /** `prefix`: an earlier answer this request continues (it is diffed again first, then the new text follows it). */
  private run(req: ModelRequest, prefix = '') {
    this.setState('requesting');
    this.lastStop = undefined;
    this.leftOut = undefined;
    this.leftOutReasons = [];
    this.commentary = '';
    this.answerPhase = undefined;
    this.streamedText = prefix;
    this.diff = this.createSink();
    let diff = this.diff;
    if (prefix) {
      diff.push(prefix);
      this.emitter.fire({ kind: 'content' });
    }
    const s = this.o.transport.stream(req, {
      onDelta: (t) => {
        if (this.diff !== diff) return;
        if (this._state === 'requesting') this.setState('streaming');
        this.streamedText += t;
        diff.push(t);
        this.emitter.fire({ kind: 'content' });
        this.lastDeltaAt = Date.now();
        if (this.region.hasUnshown) this.revealAfterPause(diff);
        const max = this.o.maxOutputChars ?? 2_000_000;
        if (this.streamedText.length > max) {
          const e = new ModelError(
            'server',
            `The model's answer passed ${Math.round((max / 1e6) * 10) / 10} MB and was stopped.`,
            'output_too_large',
          );
          this.error = e;
          this.interrupt({ byModel: true }); // the model's stop: the open hunk's whole lines stay (as on an output limit)
          this.emitter.fire({ kind: 'error', error: e, kept: true });
        }
      },
      onWarning: (m) => this.o.log?.(m),
      onCommentary: (t) => {
        if (this.diff === diff) this.commentary += t;
      },
      onRestart: () => {
        if (this.diff !== diff) return;
        // A fallback retry produced different text: drop what is unresolved and diff the new answer from the start.
        this.o.log?.('the retried response differs from what was shown: starting the preview over');
        this.streamedText = prefix;
        this.region.rejectAll();
        this.region.rebase();
        diff = this.createSink();
        this.diff = diff;
        if (prefix) diff.push(prefix);
        this.emitter.fire({ kind: 'content' });
      },
    });
    this.stream = s;
    s.done.then(
      (r) => this.onDone(s, diff, r),
      (e: ModelError) => this.onFail(s, diff, e),
    );
    this.stats.transport = undefined;
  }

  private collectStats(st: StreamStats) {
    const first = st.firstTokenAt;
    this.stats = {
      sendLatencyMs: st.sentAt !== undefined ? st.sentAt - this.startedAt : undefined,
      ttftMs: first !== undefined ? first - this.startedAt : undefined,
      tokensPerSecond:
        first !== undefined && st.endedAt !== undefined && st.endedAt > first
          ? st.deltas / ((st.endedAt - first) / 1000)
          : undefined,
      deltas: st.deltas,
      chars: st.outputChars,
      warm: st.warm,
      resentFullInput: st.resentFullInput,
      transport: st.transport,
      fellBack: st.fellBack,
      acceptedPredictionTokens: st.acceptedPredictionTokens,
      rejectedPredictionTokens: st.rejectedPredictionTokens,
    };
    this.lastResponseId = st.responseId ?? this.lastResponseId;
    this.answerPhase = st.answerPhase ?? this.answerPhase;
  }

  private onDone(s: ActiveStream, diff: AnswerSink, r: StreamResult) {
    if (this.stream !== s) return;
    this.stream = null;
    this.collectStats(r.stats);
    this.lastResponseId = r.responseId ?? this.lastResponseId;
    this.lastStop = r.stop;
    if (this.commentary)
      this.o.log?.(`the model's commentary (not part of the edit): ${this.commentary.trim().slice(0, 500)}`);
    const stop = r.stop;
    if (stop.kind === 'refusal' || (stop.kind === 'end' && this.streamedText.trim() === '')) {
      // A refusal or an empty answer is not a rewrite to nothing: nothing changes, the user is told why.
      const e =
        stop.kind === 'refusal'
          ? new ModelError('declined', declinedMessage(stop.message), 'refusal')
          : new ModelError('declined', 'The model returned an empty answer. Nothing was changed.', 'empty_answer');
      this.o.log?.(`edit ${this.id}: ${e.message}`);
      if (!this.restoreBeforeRedirect(e)) this.fail(e);
      return;
    }
    if (stop.kind !== 'end') {
      // The answer ended before the end of the code: what arrived is pending and every line it did not reach
      // stays exactly as it is (as on an interrupt), never "deleted".
      this.region.interrupt('the answer stopped here');
      this.reportLeftOut();
      const kept = this.region.pendingHunks().length > 0;
      // Cut off by the output limit with nothing whole to propose yet (inside the region's only construct): the edit
      // stays pending with nothing proposed, so Continue can finish the answer (issue 11).
      const toContinue = !kept && stop.kind === 'max_tokens' && this.streamedText.trim() !== '';
      const e = new ModelError(
        'stopped',
        stoppedMessage(stop, kept, !!this.region.structureCut?.nothingLeft, toContinue),
        stop.raw,
      );
      this.o.log?.(`edit ${this.id}: ${e.message}`);
      if (!kept && this.restoreBeforeRedirect(e)) return; // a redirect cut off before anything whole: what it replaced
      if (!kept && !toContinue) {
        this.fail(e);
        return;
      }
      this.error = e;
      this.emitter.fire({ kind: 'content' });
      this.setState('pending'); // pending first, so the message can offer Continue
      this.emitter.fire({ kind: 'error', error: e, kept: true });
      return;
    }
    diff.end();
    this.region.relayoutClean();
    this.reportLeftOut();
    if (this.region.pendingHunks().length === 0 && this.restoreBeforeRedirect(UNCHANGED)) return;
    this.beforeRedirect = undefined; // the redirect's answer is the proposal now
    this.afterGeneration();
  }

  /** Nothing is kept: the region goes back to the original (plus the user's typing). */
  private fail(e: ModelError) {
    this.error = e;
    this.region.rejectAll();
    this.emitter.fire({ kind: 'error', error: e, kept: false });
    this.emitter.fire({ kind: 'content' });
    this.setState('failed');
  }

  private onFail(s: ActiveStream, diff: AnswerSink, e: ModelError) {
    if (this.stream !== s) return; // cancelled on purpose (interrupt/redirect/reject)
    this.stream = null;
    this.collectStats(s.stats);
    this.error = e;
    // Keep what arrived (whole lines only) as a pending diff: the user decides. Nothing is half-applied.
    if (this.streamedText.length > 0) this.region.interrupt('the answer broke off here');
    const kept = this.region.pendingHunks().length > 0;
    if (!kept && this.region.structureCut?.nothingLeft)
      this.o.log?.(`edit ${this.id}: the answer broke off inside a construct: ${NOTHING_COMPLETE}`);
    if (kept) {
      this.beforeRedirect = undefined; // what the redirect wrote is the proposal now
      this.reportLeftOut();
      this.emitter.fire({ kind: 'error', error: e, kept: true });
      this.afterGeneration();
    } else if (!this.restoreBeforeRedirect(e)) {
      this.fail(e);
    }
    void diff;
  }

  private afterGeneration() {
    this.emitter.fire({ kind: 'content' });
    this.setState(this.region.pendingHunks().length > 0 ? 'pending' : 'done');
  }

  /** Stop the running response, if any, keeping its stats; its late events are ignored. */
  /**
   * The line being written is held back while it is too short to tell where it goes (region.partial, issue 11 session
   * 14): one token at the demo's speed. If the stream pauses there (UNSHOWN_MS without a token), it is drawn anyway.
   */
  private revealAfterPause(diff: AnswerSink) {
    if (this.unshownTimer) return;
    const check = () => {
      this.unshownTimer = undefined;
      if (this.diff !== diff || !this.region.hasUnshown) return;
      const quiet = Date.now() - this.lastDeltaAt;
      if (quiet < UNSHOWN_MS) this.unshownTimer = setTimeout(check, UNSHOWN_MS - quiet);
      else if (this.region.revealUnshown()) this.emitter.fire({ kind: 'content' });
    };
    this.unshownTimer = setTimeout(check, UNSHOWN_MS);
  }

  private stopStream() {
    if (this.unshownTimer) clearTimeout(this.unshownTimer);
    this.unshownTimer = undefined;
    const s = this.stream;
    this.stream = null;
    this.diff = null;
    s?.cancel();
    if (s) this.collectStats(s.stats);
  }

  /** Esc while streaming: stop generating and keep what arrived as a pending diff. */
  interrupt(o: { byModel?: boolean; deciding?: boolean; userEdit?: boolean } = {}): boolean {
    if (!this.isStreaming) return false;
    this.stopStream();
    // The user stopped it (Esc, Stop, Accept All while it writes, typing into code it had not written yet): only the
    // hunks the stream moved past are proposed.
    if (o.byModel) this.region.interrupt('the answer stopped here');
    else this.region.interrupt(o.userEdit ? 'stopped: you edited here' : 'stopped (Esc)', { dropOpen: true });
    if (o.userEdit) {
      const kept = this.region.pendingHunks().length > 0;
      const e = new ModelError('stopped', STOPPED_BY_TYPING + (kept ? STOPPED_KEPT : STOPPED_NOTHING), 'user_edit');
      this.o.log?.(`edit ${this.id}: ${e.message}`);
      this.error = e; // (not "no changes proposed" when nothing is left)
      this.emitter.fire({ kind: 'error', error: e, kept });
    }
    // Esc on a redirect before anything whole arrived: the proposal it replaced comes back (never for Accept All, which
    // decides on what the document shows: a proposal the user does not see is never accepted).
    if (this.region.pendingHunks().length === 0 && !o.deciding && this.restoreBeforeRedirect(STOPPED_REDIRECT))
      return true;
    if (this.region.pendingHunks().length > 0) this.beforeRedirect = undefined;
    this.reportLeftOut();
    if (this.region.structureCut?.nothingLeft && !o.userEdit) {
      // What arrived was only the start of a construct (`try {` and a line): nothing of it can be applied.
      const e = new ModelError('stopped', NOTHING_COMPLETE, 'incomplete_construct');
      this.o.log?.(`edit ${this.id}: ${e.message}`);
      this.error = e;
      this.emitter.fire({ kind: 'error', error: e, kept: false });
    }
    this.afterGeneration();
    return true;
  }

  /**
   * Redirect: cancel the running response (or leave the pending diff), drop unresolved hunks, and ask again
   * with the new direction, continuing the conversation (previous_response_id where the provider allows).
   */
  redirect(newInstruction: string): void {
    const partial = this.streamedText;
    const cancelled = this.stream !== null;
    this.stopStream();
    // Cancelling closes the socket, and the server's cached response goes with it: an id from before the cancel
    // can never be found again (previous_response_not_found, a wasted round trip). Send the whole conversation.
    if (cancelled) this.lastResponseId = undefined;
    // What the user can review now is kept aside until the redirect proposes something (issue 11): the pending
    // proposal, or what Esc would keep of a running stream. A redirect of a redirect that has proposed nothing yet keeps
    // the older one.
    if (cancelled) this.region.interrupt('stopped (Esc)', { dropOpen: true });
    if (this.region.pendingHunks().length > 0)
      this.beforeRedirect = {
        proposal: this.region.saveProposal(),
        prompt: this.prompt,
        text: partial,
        phase: this.answerPhase,
        commentary: this.commentary,
      };
    this.region.rejectAll();
    this.region.rebase();
    const first = this.prompt;
    const current = this.region.original.join('\n');
    const { full, incremental } = redirectInput(first, partial, newInstruction, current);
    this.keepPhases(full, partial);
    this.startedAt = performance.now(); // not the time spent typing the new direction
    this.prompt = { ...first, instruction: `${first.instruction}; then: ${newInstruction}`, code: current };
    this.emitter.fire({ kind: 'content' });
    this.ask(full, { incrementalInput: incremental, previousResponseId: this.lastResponseId });
  }

  /**
   * A redirect ended with nothing new to propose (a refusal, an empty or unchanged answer, a failure, an output limit or
   * Esc before anything whole): the proposal it replaced comes back exactly (the same rows and hunks: the document,
   * decorations and controls as before), pending, and the user is told why. False when there is none to bring back
   * (not a redirect), or the user edited the region meanwhile (their typing stays: the caller ends the edit as before).
   */
  private restoreBeforeRedirect(e: ModelError): boolean {
    const b = this.beforeRedirect;
    this.beforeRedirect = undefined;
    if (!b) return false;
    if (!this.region.restoreProposal(b.proposal)) {
      this.o.log?.(`edit ${this.id}: the redirect proposed nothing, and the code was edited meanwhile: not restored`);
      return false;
    }
    this.stream = null;
    this.diff = null;
    this.prompt = b.prompt;
    this.streamedText = b.text;
    this.answerPhase = b.phase;
    this.commentary = b.commentary;
    this.lastStop = undefined; // nothing to Continue: the proposal is the earlier answer's
    this.lastResponseId = undefined; // the failed turn is not part of the conversation: a next redirect resends it all
    const why = e.message
      .replace(/\s*Nothing was changed(: the model declined this edit)?\.$/, '')
      .replace(/\s*Your text is unchanged\.$/, '');
    const err = new ModelError('stopped', `Redirect: ${why} The previous proposal is shown again.`, e.code);
    this.error = err; // said by the editor's error report
    this.o.log?.(`edit ${this.id}: ${err.message}`);
    this.emitter.fire({ kind: 'content' });
    this.setState('pending');
    this.emitter.fire({ kind: 'error', error: err, kept: true });
    return true;
  }
  /** The proposal a redirect replaced, with the conversation that produced it, until the redirect proposes something. */
  private beforeRedirect:
    | {
        proposal: SavedProposal;
        prompt: EditPromptInput;
        text: string;
        phase: 'final_answer' | undefined;
        commentary: string;
      }
    | undefined;

  /**
   * The last answer was cut off by an output limit: ask the model to go on from where it stopped. The text
   * that arrived is diffed again from the start (what the user accepted meanwhile is now original), and the
   * continuation streams on after it.
   */
  continueAnswer(): boolean {
    if (!this.canContinue) return false;
    const partial = this.streamedText;
    this.region.rejectAll();
    this.region.rebase();
    const { full, incremental } = continueInput(this.prompt, partial);
    this.keepPhases(full, partial);
    this.startedAt = performance.now();
    this.emitter.fire({ kind: 'content' });
    this.ask(full, { incrementalInput: incremental, previousResponseId: this.lastResponseId }, partial);
    return true;
  }

  /** Assistant turns sent back keep their `phase` (and the commentary its own message), as the model sent them. */
  private keepPhases(full: InputMessage[], partial: string) {
    const i = full.findIndex((m) => m.role === 'assistant' && m.content.map((c) => c.text).join('') === partial);
    if (i >= 0 && this.answerPhase) full[i] = assistantMessage(partial, this.answerPhase);
    if (this.commentary) full.splice(i >= 0 ? i : full.length - 1, 0, assistantMessage(this.commentary, 'commentary'));
  }

  acceptHunk(h: Hunk): boolean {
    const ok = this.region.accept(h);
    if (ok) this.changed();
    return ok;
  }
  rejectHunk(h: Hunk): boolean {
    if (h.state !== 'pending') return false;
    const ok = this.region.reject(h);
    if (ok) this.changed();
    return ok;
  }

  /** Accept everything that arrived (stops a running generation first). */
  acceptAll(): void {
    if (this.isStreaming) this.interrupt({ deciding: true });
    this.region.acceptAll();
    this.changed();
  }

  /** Reject everything: the region returns to the original plus the user's own edits. */
  rejectAll(): void {
    this.beforeRedirect = undefined;
    this.stopStream();
    this.region.rejectAll();
    this.emitter.fire({ kind: 'content' });
    this.setState('done');
  }

  private changed() {
    this.emitter.fire({ kind: 'content' });
    if (!this.isStreaming && this.region.pendingHunks().length === 0) this.setState('done');
  }

  dispose(): void {
    this.stopStream();
    this.emitter.dispose();
  }
}

/** A redirect whose answer is the code unchanged, or that was stopped before anything whole (restoreBeforeRedirect). */
const UNCHANGED = new ModelError('stopped', 'the model answered with the code unchanged.', 'unchanged');
/** Typing into the line the model was writing or below it stops the stream (issue 11, HA). */
export const STOPPED_BY_TYPING = 'Stopped: you edited code the model had not reached. ';
const STOPPED_KEPT = 'What it finished is shown; your typing is kept as you left it.';
const STOPPED_NOTHING = 'Nothing it wrote was complete; your typing is kept as you left it.';
const STOPPED_REDIRECT = new ModelError('stopped', 'stopped before anything whole arrived.', 'stopped');

/** A stop that left only the start of a construct (structure.ts): said instead of proposing invalid code. */
export const NOTHING_COMPLETE = 'Stopped before a complete change — nothing to apply.';

/** What the user is told when an answer ended before the end of the code. */
export function stoppedMessage(
  stop: Exclude<StopReason, { kind: 'end' } | { kind: 'refusal' }>,
  pending: boolean,
  /** What arrived was cut back to whole constructs, and nothing was left (structure.ts). */
  incomplete = false,
  /** Nothing is proposed, but the edit stays open so Continue can finish the answer. */
  toContinue = false,
): string {
  const kept = pending
    ? 'The lines it did not reach are unchanged; what arrived is a pending diff.'
    : toContinue
      ? `It stopped inside the code it was rewriting, before a complete change: nothing is proposed yet, your code is unchanged.`
      : incomplete
        ? NOTHING_COMPLETE
        : 'Nothing was changed.';
  switch (stop.kind) {
    case 'max_tokens':
      return `The model stopped early: its answer reached the output limit (${stop.raw}) before the end of the code. ${kept}${pending || toContinue ? ' Choose Continue to let it finish.' : ''}`;
    case 'context_window':
      return `The model stopped early: the code and its answer do not fit in the model's context window (${stop.raw}). ${kept} Select less code and try again.`;
    case 'content_filter':
      return `The model's answer was cut off by the provider's content filter (${stop.raw}). ${kept}`;
    case 'other':
      return `The model stopped before finishing its answer (${stop.raw}). ${kept}`;
  }
}

/**
 * What the user is told when the model declines an edit: its reason first, because a notification shows one line
 * (about 80 characters) and the reason is the point (session 9 newcomers saw "The model declined to make this edit:
 * "The demo model can't do this — set an API…" and never the reason), then that nothing changed.
 */
export function declinedMessage(reason?: string): string {
  const r = reason?.trim().slice(0, 300);
  if (!r) return 'The model declined this edit. Nothing was changed.';
  return `${r}${/[.!?]$/.test(r) ? '' : '.'} Nothing was changed: the model declined this edit.`;
}
