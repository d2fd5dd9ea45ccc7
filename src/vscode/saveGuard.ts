import * as vscode from 'vscode';
import { NEW_FILE_SCHEME } from './newFilePreviews';
import { keepingCursor } from './util/keepCursor';
import { beforeOwnEdit } from './util/ownEdits';
import { Ctx } from './ctx';
import { SessionView } from './preview';
import { EditSessions } from './sessions';
import { Disposable } from './util/dispose';
import { lineHunks } from '../core/nextEdit/lineDiff';
import { lineEdits } from '../core/diff/lineEdits';
import { anchoredPieces } from '../core/diff/anchoredEdit';
import { commonEnds } from '../core/util/commonEnds';
import { settlesWithin } from '../core/util/settlesWithin';

/**
 * How long a save waits for an undo/redo walk to land: VS Code writes 1.5 s after the participant starts, and the
 * set-aside after the wait needs its own round trip (a few hundred ms on a loaded machine).
 */
const WALK_WAIT_MS = 800;
/** How long a save waits for the previous save's previews to be shown again before it sets them aside itself. */
const RESTORE_WAIT_MS = 600;
/**
 * The longest Spark Edit's save participant holds a save. VS Code gives each onWillSaveTextDocument listener 1.5 s and,
 * once one has timed out or thrown more than three times, never calls it again in that window (extension host,
 * `_badListeners`): from then on every save would write the preview's lines. So the participant lets the save go ahead
 * itself before VS Code's limit (seen at load 18: three timeouts in one newcomer session, issue 11).
 */
export const PARTICIPANT_BUDGET_MS = 1250;

interface Parked {
  view: SessionView;
  startLine: number;
  shown: string[];
  aside: string[];
}

/**
 * Saving a document that holds a pending preview (auto-save, Save All, save on quit, Ctrl+S): the file on disk must
 * never get the preview's mixed state (removed and added lines both). A save cannot be cancelled, but a save
 * participant runs before the text is taken: each preview is suspended and its lines set aside (the document goes
 * back to the original plus your typing, which is what is written), and right after the save the same lines come
 * back and the same preview goes on, still streaming if it was: no decision, no stream and no keystroke is lost.
 * The set-aside and the restore are the guard's own edits (busy), so undo never lands between them.
 */
export class SaveGuard extends Disposable {
  private readonly setAside = new Map<
    string,
    {
      parked: Parked[];
      finish: () => void;
      cursor?: { text: string; selections: readonly vscode.Selection[] };
      /** The cursors as the set-aside left them: unmoved at the restore, they are carried back with it. */
      aside?: readonly vscode.Selection[];
      /** Tells the undo guard the set-aside is over (UndoGuard.openAside). */
      close?: () => void;
    }
  >();
  /** Saves whose previews are not shown again yet (from the save participant to the end of the restore). */
  private readonly showingAgain = new Map<string, { done: Promise<void>; resolve: () => void }>();

  constructor(
    private readonly ctx: Ctx,
    private readonly sessions: EditSessions,
  ) {
    super();
    this._register(vscode.workspace.onWillSaveTextDocument((e) => this.onWillSave(e)));
    this._register(vscode.workspace.onDidSaveTextDocument((doc) => this.showAgain(doc)));
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        const r = e.reason;
        if (
          (r === vscode.TextDocumentChangeReason.Undo || r === vscode.TextDocumentChangeReason.Redo) &&
          this.sessions.hasGuard(e.document)
        )
          this.checkAfterUndo(e.document);
      }),
    );
  }

  private readonly checking = new Set<string>();
  /**
   * Undo/Redo landed (issue 11, session 10): VS Code's dirty mark counts editor versions, not texts, so after Undo of
   * a decision that auto-save had written (Accept All, saved, Ctrl+Z, with saves inside the stream) the pending diff
   * came back with the tab clean: nothing would save it, the disk kept the accepted code. A clean tab must mean the
   * disk holds what a save would write (the original plus your typing where a diff is pending). When it does not:
   * with auto-save on the file is written now (forced), which is what the user's setting asks for; with auto-save off
   * Spark Edit never writes by itself (session 11: HA10 wrote it then, a write nobody asked for): it says so, and
   * offers Save.
   */
  private checkAfterUndo(doc: vscode.TextDocument): void {
    const uri = doc.uri.toString();
    if (this.checking.has(uri) || doc.isUntitled || doc.uri.scheme === NEW_FILE_SCHEME) return;
    this.checking.add(uri);
    const guard = this.sessions.guardFor(doc);
    void (async () => {
      try {
        await guard.whenIdle(5000);
        await new Promise((r) => setTimeout(r, 300)); // the dirty mark reaches the extension host after the change
        await guard.whenIdle(5000);
        await this.whenShownAgain(doc);
        if (doc.isClosed || doc.isDirty || guard.walking || this.rewriting.has(uri)) return;
        const views = this.sessions.viewsFor(doc).filter((v) => !v.isEnded);
        if (views.some((v) => v.suspended || v.session.isStreaming)) return; // a save or a stream is at it
        const onDisk = await diskText(doc);
        if (doc.isDirty || doc.isClosed || guard.walking || onDisk === wouldWrite(doc, views)) return;
        const rel = vscode.workspace.asRelativePath(doc.uri);
        if (vscode.workspace.getConfiguration('files', doc.uri).get<string>('autoSave', 'off') === 'off') {
          this.stats.toldNotWritten++;
          this.ctx.log(
            `undo/redo in ${rel}: the tab is clean but the disk does not hold what a save writes; auto-save is off, so not written (said)`,
          );
          return this.tell(doc, rel, views.length > 0);
        }
        this.stats.cleanButNotOnDisk++;
        this.ctx.log(
          `undo/redo in ${rel}: the tab is clean but the disk does not hold what a save writes; auto-save is on: written now`,
        );
        await this.writeAgain(doc);
      } catch (e) {
        this.ctx.log(`after undo/redo: ${String(e)}`);
      } finally {
        this.checking.delete(uri);
      }
    })();
  }

  private readonly telling = new Set<string>();
  /** Auto-save off and a clean tab that is not on disk (checkAfterUndo): said, with Save; the user decides. */
  private tell(doc: vscode.TextDocument, rel: string, pending: boolean): void {
    const uri = doc.uri.toString();
    if (this.telling.has(uri)) return;
    this.telling.add(uri);
    const what = pending
      ? 'a save writes the original plus your typing while the diff is pending'
      : 'the file on disk is not the text you see';
    void vscode.window
      .showInformationMessage(
        `Spark Edit: ${rel} shows no unsaved change after Undo/Redo, but ${what}. Auto-save is off, so the file was not written.`,
        'Save',
      )
      .then(
        async (pick) => {
          this.telling.delete(uri);
          if (pick === 'Save' && !doc.isClosed) await this.writeAgain(doc);
        },
        () => this.telling.delete(uri),
      );
  }

  /**
   * Resolves once the previews a save of `doc` set aside are shown again (at once when none are). `save()` resolves
   * before that: VS Code gives extensions no way to hold it until the onDidSave listeners are done.
   */
  whenShownAgain(doc: vscode.TextDocument): Promise<void> {
    return this.showingAgain.get(doc.uri.toString())?.done ?? Promise.resolve();
  }

  private beginSetAside(uri: string): () => void {
    let resolve!: () => void;
    const entry = {
      done: new Promise<void>((r) => {
        resolve = r;
      }),
      resolve: () => resolve(),
    };
    const prev = this.showingAgain.get(uri);
    this.showingAgain.set(uri, entry);
    return () => {
      if (this.showingAgain.get(uri) === entry) this.showingAgain.delete(uri);
      entry.resolve();
      prev?.resolve();
    };
  }

  private onWillSave(e: vscode.TextDocumentWillSaveEvent): void {
    if (e.document.isUntitled) return; // an untitled preview (a deep job's new file) has no mixed state; Save As is explicit
    if (e.document.uri.scheme === NEW_FILE_SCHEME) return; // a named new-file preview: saved to memory only (NewFilePreviews)
    const guard = this.sessions.hasGuard(e.document) ? this.sessions.guardFor(e.document) : undefined;
    if (guard)
      this.ctx.log(
        `save of ${vscode.workspace.asRelativePath(e.document.uri)} (v${e.document.version}, reason ${e.reason}): ${guard.walking ? 'undo/redo walks' : guard.busy ? 'held' : 'quiet'}, ${this.sessions.viewsFor(e.document).filter((v) => !v.isEnded).length} preview(s)`,
      );
    if (guard?.walking) {
      // Undo/Redo walks the history (issue 11, HB): its previews are dropped until it lands, so the text now is a step
      // of the walk (half a stream, removed rows as plain `//` lines, or the pending form a moment before its preview
      // is shown again). The save waits for the walk to land, then sets aside what it shows. VS Code writes after
      // 1.5 s whatever the participant does (and ignores a participant for good after a few such timeouts), so the
      // wait is bounded; a save that outlasts it is written as the walk has it and written again once it lands.
      e.waitUntil(
        this.withinBudget(
          e.document,
          guard.whenIdle(WALK_WAIT_MS).then(async (idle) => {
            if (!idle) return this.writeAgainAfterWalk(e.document);
            this.stats.waitedForWalk++;
            await this.participate(e.document, e.reason);
          }),
        ),
      );
      return;
    }
    if (!this.sessions.viewsFor(e.document).some((v) => !v.isEnded)) return;
    e.waitUntil(this.withinBudget(e.document, this.participate(e.document, e.reason)));
  }

  /**
   * The participant's work, bounded by PARTICIPANT_BUDGET_MS and never failing: a slow or failed set-aside lets the save
   * go ahead (written as the document is then, as VS Code does after its own timeout) without counting against the
   * participant. A set-aside that lands after the write is shown again by its fallback (fallBackIfNoSave).
   */
  private withinBudget(doc: vscode.TextDocument, work: Promise<unknown>): Promise<void> {
    const rel = vscode.workspace.asRelativePath(doc.uri);
    const logged = work.catch((err) =>
      this.ctx.log(`save of ${rel}: setting the previews aside failed: ${String(err)}`),
    );
    return settlesWithin(logged, PARTICIPANT_BUDGET_MS).then((inTime) => {
      if (inTime) return;
      this.stats.overBudget++;
      this.ctx.log(
        `save of ${rel}: setting the previews aside took over ${PARTICIPANT_BUDGET_MS} ms; the save goes ahead (VS Code stops calling a participant that keeps timing out)`,
      );
    });
  }

  /** How the saves during undo/redo walks went (issue 11, HB; tests): waited for the walk, written again after it. */
  readonly stats = {
    waitedForWalk: 0,
    outlasted: 0,
    writtenAgain: 0,
    cleanButNotOnDisk: 0,
    toldNotWritten: 0,
    overBudget: 0,
  };
  private readonly afterWalk = new Set<string>();

  /** A save outlasted by a walk wrote a step of it: once the walk lands, the file is written again (forced). */
  private writeAgainAfterWalk(doc: vscode.TextDocument, why = `still walks after ${WALK_WAIT_MS} ms`): void {
    this.stats.outlasted++;
    const uri = doc.uri.toString();
    this.ctx.log(
      `save of ${vscode.workspace.asRelativePath(doc.uri)}: undo/redo ${why}; written as it is now, and again once it lands`,
    );
    if (this.afterWalk.has(uri)) return;
    this.afterWalk.add(uri);
    const guard = this.sessions.guardFor(doc);
    const again = () => {
      guard.onIdle.delete(again);
      this.afterWalk.delete(uri);
      void this.writeAgain(doc);
    };
    guard.onIdle.add(again);
  }

  /**
   * An Undo took a save's set-aside back (UndoGuard.openAside). When it reached the editor before VS Code took the text
   * to write, the file got the preview's internal form (its removed rows with their comment prefix: seen in the host
   * test 'Ctrl+Z while a save has the diff set aside'). Once the Undo asked for has been taken, that save is done
   * again (forced) when the disk does not hold what a save writes now.
   */
  private writeAgainIfUndone(doc: vscode.TextDocument): void {
    const guard = this.sessions.guardFor(doc);
    const uri = doc.uri.toString();
    this.rewriting.add(uri);
    const check = async () => {
      guard.onIdle.delete(check);
      try {
        await this.rewriteIfUndone(doc);
      } finally {
        this.rewriting.delete(uri);
      }
    };
    guard.onIdle.add(check);
  }
  /** Documents whose save is being done again (writeAgainIfUndone): the check after Undo/Redo leaves them to it. */
  private readonly rewriting = new Set<string>();
  private async rewriteIfUndone(doc: vscode.TextDocument): Promise<void> {
    if (doc.isClosed || doc.uri.scheme !== 'file') return;
    const views = this.sessions.viewsFor(doc).filter((v) => !v.isEnded);
    if (views.some((v) => v.suspended)) return;
    const onDisk = await diskText(doc);
    if (onDisk === wouldWrite(doc, views)) return;
    this.ctx.log(
      `save of ${vscode.workspace.asRelativePath(doc.uri)}: an Undo took its set-aside back before the file was written; written again`,
    );
    await this.writeAgain(doc);
  }

  /**
   * The walk has landed: write the file again, forced (Ctrl+S's command writes a file the editor thinks clean: the
   * walk may have landed on the very text written, a preview's pending form, shown again without any edit). A save
   * asked for while another save's participants run is refused by VS Code (no recursive saves), and one still in
   * flight may write after ours: so it is checked on disk and tried again (a few times) while the file, with no
   * preview shown, is not the document.
   */
  private async writeAgain(doc: vscode.TextDocument): Promise<void> {
    const rel = vscode.workspace.asRelativePath(doc.uri);
    for (let attempt = 0; attempt < 4 && !doc.isClosed; attempt++) {
      await new Promise((r) => setTimeout(r, 150 + 250 * attempt)); // saves in flight go first
      const guard = this.sessions.guardFor(doc);
      if (guard.walking) return; // another walk: its own saves (and this, after it) take over
      this.stats.writtenAgain++;
      this.ctx.log(`save of ${rel}: written again, the walk has landed${attempt ? ` (try ${attempt + 1})` : ''}`);
      try {
        if (vscode.window.activeTextEditor?.document === doc)
          await vscode.commands.executeCommand('workbench.action.files.save');
        else await doc.save();
        await this.whenShownAgain(doc);
      } catch (err) {
        this.ctx.log(`save again: ${String(err)}`);
      }
      if (this.sessions.viewsFor(doc).some((v) => !v.isEnded)) return; // written by our participant (set aside)
      if (doc.uri.scheme !== 'file') return;
      const onDisk = await diskText(doc);
      if (onDisk === doc.getText()) return;
    }
  }

  /** The save participant's work (see the class comment): each live preview of `doc` set aside for the write. */
  private async participate(doc: vscode.TextDocument, reason: vscode.TextDocumentSaveReason): Promise<void> {
    const uri = doc.uri.toString();
    // A save right after another (auto-save while typing): the last one's previews may not be shown again yet. Wait
    // for them (bounded; VS Code writes 1.5 s after the participant starts), then set aside what is shown. A preview
    // still set aside is skipped: the document already holds its set-aside text, and parking it again would take
    // the set-aside text for the preview's lines (it was rejected over them).
    const restoring = this.showingAgain.get(uri)?.done;
    if (restoring) await settlesWithin(restoring, RESTORE_WAIT_MS);
    const guard = this.sessions.guardFor(doc);
    const vs = this.sessions.viewsFor(doc).filter((v) => !v.isEnded && !v.suspended);
    // An undo/redo walk that began after this save did (it drops the previews until it lands, Redo's own included):
    // what is written now is a step of it, so the file is written again once it lands (issue 11, HA10 item 2).
    if (!vs.length) return void (guard.walking && this.writeAgainAfterWalk(doc, 'began during the save'));
    const finish = this.beginSetAside(uri);
    // The text at VS Code's undo stop before the save participants: edits still in flight (settled below) join the
    // set-aside's undo step, so undoing that step gives this text back.
    const shown = guard.textHash();
    // From here to the end of the restore, an Undo that takes the set-aside back is held (UndoGuard.openAside); it can
    // come while the set-aside edit is still answered (a Ctrl+Z in the walk test's log), so before it is sent.
    const close = guard.openAside(shown);
    let handedOn = false; // to the restore after the save, which calls finish()
    try {
      // Where the cursor was in the document as shown: put back exactly when the same text is shown again.
      const ed = vscode.window.visibleTextEditors.find((x) => x.document === doc);
      const cursor = ed && { text: doc.getText(), selections: ed.selections };
      const parked = await this.park(doc, vs);
      if (!parked.length && guard.walking) this.writeAgainAfterWalk(doc, 'began during the save');
      if (parked.length) {
        guard.noteSetAside(shown);
        this.setAside.set(uri, { parked, finish, cursor, aside: ed?.selections, close });
        handedOn = true;
        this.fallBackIfNoSave(doc, parked);
      }
      const kept = vs.filter((v) => !v.isEnded && !parked.some((p) => p.view === v)).length;
      this.ctx.log(
        `save of ${vscode.workspace.asRelativePath(doc.uri)}: ${parked.length} pending edit(s) set aside, so the file is written without them (reason ${reason})` +
          (kept ? `; ${kept} could not be set aside and are written as shown` : ''),
      );
    } finally {
      if (!handedOn) {
        close();
        finish();
      }
    }
  }

  /** Suspends each preview and puts the document's original (plus typing) where its lines were. */
  private async park(doc: vscode.TextDocument, vs: SessionView[]): Promise<Parked[]> {
    const guard = this.sessions.guardFor(doc);
    const parked: Parked[] = [];
    for (const v of vs) await v.settled(); // the document in step with each preview
    const release = guard.hold();
    try {
      // Bottom-up, so the line numbers above stay right.
      for (const v of vs.sort((x, y) => y.region.startLine - x.region.startLine)) {
        if (v.isEnded) continue;
        v.suspend();
        if (!v.matchesDocument()) {
          v.decorate();
          v.resume();
          this.ctx.log(`save: edit ${v.session.id} is out of step with the document; it is rejected for the save`);
          await v.rejectAll();
          continue;
        }
        let p: Parked | undefined;
        try {
          p = await this.setAsideOne(doc, v);
        } catch (e) {
          // Never left suspended (a decision on it would wait for a restore that is not coming): shown as it is.
          this.ctx.log(`save: edit ${v.session.id} could not be set aside (${String(e)}); it stays shown`);
          if (!v.isEnded) {
            v.decorate();
            if (v.suspended) v.resume(-1);
          }
        }
        if (p) parked.push(p);
      }
    } finally {
      release();
    }
    return parked;
  }

  /**
   * One suspended preview's lines set aside (replaced by what Reject would leave). The edit is version-checked: when
   * the user's keystroke reached the editor first, it does not land, and the keystrokes that came meanwhile are
   * followed (issue 11, HA: they were dropped, and a later Reject wrote the stale line over the typing); then it is
   * tried again on the text that now holds them, at most three times, after which the preview stays as it is.
   */
  private async setAsideOne(doc: vscode.TextDocument, v: SessionView): Promise<Parked | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const startLine = v.region.startLine;
      const shown = [...v.region.renderedLines()]; // the document's lines (removed rows with their prefix)
      const aside = v.region.textIf('reject');
      // No colours on the set-aside lines: sent with the edit (issue 11), so no line is drawn with wrong ones.
      const alongside = () =>
        v.decorate(undefined, { endLine: startLine + shown.length, delta: aside.length - shown.length });
      const landed = await replaceLines(doc, startLine, shown.length, aside, this.ctx.log, alongside, 'setAside');
      if (landed) return { view: v, startLine, shown, aside };
      v.resume(-1); // every change that came meanwhile was someone else's
      // Following them may have changed the preview (a key typed below the stream stops it, which drops the line it was
      // writing): in step with the document again before the next try (issue 11, HB: without it the try was given up
      // and the save wrote the preview's mixed lines).
      if (!v.isEnded && !v.matchesDocument()) await v.settled();
      if (v.isEnded || !v.matchesDocument()) break;
      v.suspend();
    }
    if (!v.isEnded) {
      v.decorate();
      if (v.suspended) v.resume();
      this.ctx.log(`save: edit ${v.session.id} could not be set aside (the document kept changing); it stays shown`);
    }
    return undefined;
  }

  /**
   * A save that writes nothing (the set-aside text equals the file: VS Code may skip the write) or fails sends
   * no onDidSave: the previews must not stay set aside (a decision would wait for ever). The text to write was
   * taken right after the participants, so showing the previews again later than that is safe.
   */
  private fallBackIfNoSave(doc: vscode.TextDocument, parked: Parked[]): void {
    const uri = doc.uri.toString();
    setTimeout(() => {
      if (this.setAside.get(uri)?.parked !== parked) return;
      this.ctx.log(
        `save of ${vscode.workspace.asRelativePath(doc.uri)}: no save reported within 1.5 s; the pending edit(s) are shown again`,
      );
      void this.showAgain(doc);
    }, 1500);
  }

  /** Put set-aside previews back (after the save, or after a save that never reported: see the fallback above). */
  private async showAgain(doc: vscode.TextDocument): Promise<void> {
    const entry = this.setAside.get(doc.uri.toString());
    if (!entry) return;
    this.setAside.delete(doc.uri.toString());
    try {
      const back = await this.unpark(doc, entry.parked, this.carryBack(doc, entry));
      const ed = vscode.window.visibleTextEditors.find((x) => x.document === doc);
      // Only when it is not there already: a cursor on a line the set-aside did not touch never moved, and putting the
      // snapshot back anyway could land after a keystroke the editor has and we have not heard of yet, sending the next
      // keys before it (issue 11, HB: `a6q9Z` for `a6Zq9`, typing with auto-save on).
      const was = entry.cursor?.selections;
      if (
        ed &&
        was &&
        doc.getText() === entry.cursor?.text &&
        (was.length !== ed.selections.length || was.some((s, i) => !s.isEqual(ed.selections[i])))
      )
        ed.selections = was;
      // Only now (the guard no longer busy) may a preview that rests record its state for undo.
      await Promise.all(back.map((v) => v.flush()));
      this.sessions.refreshLenses();
      this.sessions.updateContext();
    } catch (e) {
      this.ctx.log(
        `save of ${vscode.workspace.asRelativePath(doc.uri)}: showing the pending edit(s) again failed: ${String(e)}`,
      );
    } finally {
      // None stays set aside for ever (a decision on it would wait for it): one not shown again is dropped, and the
      // document keeps the text it has (the original plus the typing).
      for (const p of entry.parked)
        if (p.view.suspended && !p.view.isEnded) {
          this.ctx.log(`save: edit ${p.view.session.id} was not shown again; it is dropped`);
          p.view.drop();
        }
      if (this.sessions.guardFor(doc).asideUndone) this.writeAgainIfUndone(doc);
      entry.close?.();
      entry.finish();
    }
  }

  /**
   * Where the cursors go back to with the restore (issue 11: keys typed at the end of the line being written right
   * after the restore was sent landed where the set-aside had put the cursor, in another line: `  var a0Zq9 = 0;`):
   * the cursors as they were before the set-aside, when the user has not moved them since (and, checked by unpark,
   * typed nothing meanwhile). Only for one preview in the file (the line numbers are then the same in
   * both texts). The restore's edit is then made of pieces that put them there as the editor applies it.
   */
  private carryBack(
    doc: vscode.TextDocument,
    entry: {
      parked: Parked[];
      cursor?: { selections: readonly vscode.Selection[] };
      aside?: readonly vscode.Selection[];
    },
  ): Array<{ from: vscode.Position; to: vscode.Position }> | undefined {
    const ed = vscode.window.visibleTextEditors.find((x) => x.document === doc);
    const was = entry.cursor?.selections;
    const aside = entry.aside;
    if (!ed || !was || !aside || entry.parked.length !== 1) return undefined;
    const now = ed.selections;
    if (now.length !== aside.length || now.some((s, i) => !s.isEqual(aside[i])) || now.length !== was.length)
      return undefined;
    if (now.some((s) => !s.isEmpty) || was.some((s) => !s.isEmpty)) return undefined;
    // (Nothing typed while set aside: unpark, which reads those lines anyway, passes the carry on only then.)
    return now.map((s, i) => ({ from: s.active, to: was[i].active }));
  }

  /** Puts each parked preview's lines back; returns the previews that are shown again. */
  private async unpark(
    doc: vscode.TextDocument,
    parked: Parked[],
    carry?: Array<{ from: vscode.Position; to: vscode.Position }>,
  ): Promise<SessionView[]> {
    const { log } = this.ctx;
    const guard = this.sessions.guardFor(doc);
    const back: SessionView[] = [];
    const release = guard.hold();
    try {
      // In the set-aside order (bottom-up), so the line numbers above stay right.
      for (const p of parked) {
        const v = p.view;
        const now = linesAt(doc, p.startLine, p.aside.length);
        if (v.isEnded) continue; // it ended while set aside (nothing to propose): the document holds its result
        if (guard.asideUndone) {
          // The user's Undo took the set-aside back (UndoGuard.openAside): the document shows the preview's lines
          // again, so no edit; the Undo asked for is taken once this save is done.
          if (linesAt(doc, p.startLine, p.shown.length).join('\n') === p.shown.join('\n')) {
            v.resume();
            if (v.matchesDocument()) {
              log(`save: edit ${v.session.id} is shown again by an Undo of its set-aside`);
              back.push(v);
              continue;
            }
            v.suspend();
          }
        }
        const before = doc.version; // the restore makes version before + 1; the user's keystrokes come after it
        // Keys typed while it was set aside, on lines the preview shows as they are: kept, and shown with it.
        const typed = now.join('\n') === p.aside.join('\n') ? [] : typedOnSharedLines(p, now);
        const shown = [...p.shown];
        for (const t of typed ?? []) shown[t.row] = t.text;
        if (
          !typed ||
          !(await replaceLines(
            doc,
            p.startLine,
            p.aside.length,
            shown,
            log,
            () =>
              // Its colours go out with its lines (issue 11): a removed row is never drawn with its `//` showing.
              v.decorate(undefined, {
                view: v,
                shown: true,
                endLine: p.startLine + p.aside.length,
                delta: p.shown.length - p.aside.length,
              }),
            'restore',
            typed?.length ? undefined : carry,
          ))
        ) {
          // The document changed in between: the text stays as written (original plus your typing), the preview goes.
          log(
            `save of ${vscode.workspace.asRelativePath(doc.uri)}: edit ${v.session.id} could not be shown again (the document changed meanwhile); it is dropped`,
          );
          v.drop();
          continue;
        }
        if (typed?.length) {
          log(`save: ${typed.length} line(s) typed into while edit ${v.session.id} was set aside; kept in it`);
          v.followLines(typed.map((t) => ({ line: p.startLine + t.row, from: p.shown[t.row], to: t.text })));
        }
        v.resume(before + 1); // keystrokes on the restored lines that came before this point are followed
        if (!v.matchesDocument()) {
          log(`save: edit ${v.session.id} does not match the document after the save; it is dropped`);
          v.drop();
          continue;
        }
        back.push(v);
      }
    } finally {
      release();
    }
    return back;
  }
}

/** The file's text on disk (UTF-8). */
async function diskText(doc: vscode.TextDocument): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(doc.uri)).toString('utf8');
}

/** The document's lines [start, start + n), as far as it has them. */
function linesAt(doc: vscode.TextDocument, start: number, n: number): string[] {
  const out: string[] = [];
  for (let i = start; i < Math.min(doc.lineCount, start + n); i++) out.push(doc.lineAt(i).text);
  return out;
}

/**
 * The user typed while the preview was set aside (`now`, the document's lines where its set-aside text was): when every
 * changed line is one the preview shows as it is (the same text in `shown` and `aside`, not one of its hunks) and no
 * line was added or removed, the rows of `shown` those lines are (with their new text); undefined otherwise (the
 * preview cannot be shown again around the typing: it is dropped, as before). Issue 11, HB: with auto-save on,
 * keys typed into old code below a stopped stream between a save's set-aside and its restore dropped the whole diff.
 */
function typedOnSharedLines(p: Parked, now: string[]): Array<{ row: number; text: string }> | undefined {
  if (now.length !== p.aside.length) return undefined;
  // aside line -> shown row, for the lines outside the set-aside's runs of changed lines
  const toRow = new Map<number, number>();
  let i = 0;
  let j = 0;
  for (const h of [...lineHunks(p.shown, p.aside), undefined]) {
    const stop = h ? h.oldStart : p.shown.length;
    for (; j < stop; i++, j++) toRow.set(i, j);
    if (h) {
      j += h.oldLines.length;
      i += h.newLines.length;
    }
  }
  const out: Array<{ row: number; text: string }> = [];
  for (let k = 0; k < now.length; k++) {
    if (now[k] === p.aside[k]) continue;
    const row = toRow.get(k);
    if (row === undefined || p.shown[row] !== p.aside[k]) return undefined;
    out.push({ row, text: now[k] });
  }
  return out;
}

async function replaceLines(
  doc: vscode.TextDocument,
  startLine: number,
  count: number,
  lines: string[],
  log?: (m: string) => void,
  /** Called right after the edit is sent, in the same tick (the decorations that go with it). */
  alongside?: () => void,
  what: 'setAside' | 'restore' = 'setAside',
  /** Cursors to carry with the edit (from: where they are now; to: where they go in the new lines), when possible. */
  carry?: ReadonlyArray<{ from: vscode.Position; to: vscode.Position }>,
): Promise<boolean> {
  const end = startLine + count;
  const range =
    end < doc.lineCount
      ? new vscode.Range(startLine, 0, end, 0)
      : new vscode.Range(startLine, 0, doc.lineCount - 1, doc.lineAt(doc.lineCount - 1).text.length);
  const text = lines.join('\n') + (end < doc.lineCount && lines.length ? '\n' : '');
  // Only the lines that differ are replaced (issue 11, HB): a line both texts share is not touched, so a cursor on it
  // (the user typing into old code below the stream) stays where it is in the editor itself. Replacing the whole
  // block put it at the block's start until our selection fix arrived, and keys typed in that window went there
  // (`q9export function f() {` with auto-save on), after which the restore found the text changed and dropped the diff.
  const found = minimalEdits(doc, range, text);
  const edits: Array<[vscode.Range, string]> = found.length ? found : [[range, text]]; // nothing differs: as before
  const ed = vscode.window.visibleTextEditors.find((x) => x.document === doc);
  const pieces = ed && carry?.length ? carried(doc, range, text, startLine, lines, carry) : null;
  if (ed && pieces) {
    beforeOwnEdit(doc, what); // tests only: the user's keystroke first (util/ownEdits.ts)
    const sending = ed.edit((b) => pieces.forEach(([r, t]) => b.replace(r, t)), {
      undoStopBefore: false,
      undoStopAfter: false,
    });
    alongside?.();
    return sending;
  }
  // The cursor stays where the user left it, not at the end of the replaced lines (issue 15): cursors on the shared
  // lines above and below the changed ones are not inside any edit, so only the changed block is mapped.
  const old: string[] = [];
  for (let i = startLine; i < Math.min(doc.lineCount, end); i++) old.push(doc.lineAt(i).text);
  const { prefix: pre, suffix: suf } = commonEnds(old, lines);
  // In an editor: no undo stops of its own, so the set-aside and the restore join the undo steps around them.
  if (ed)
    return keepingCursor(
      ed,
      startLine + pre,
      old.length - pre - suf,
      lines.slice(pre, lines.length - suf),
      () => {
        beforeOwnEdit(doc, what); // tests only: the user's keystroke first (util/ownEdits.ts)
        const sending = ed.edit((b) => edits.forEach(([r, t]) => b.replace(r, t)), {
          undoStopBefore: false,
          undoStopAfter: false,
        });
        alongside?.();
        return sending;
      },
      log,
    );
  const we = new vscode.WorkspaceEdit();
  for (const [r, t] of edits) we.replace(doc.uri, r, t);
  beforeOwnEdit(doc, what);
  return vscode.workspace.applyEdit(we);
}

/**
 * The edit that turns the text of `range` (from `startLine`) into `text` (`lines`) as pieces that leave each cursor
 * of `carry` at its `to` as the editor applies them (core/diff/anchoredEdit.ts), or null when that cannot be promised
 * or a cursor is outside the range.
 */
function carried(
  doc: vscode.TextDocument,
  range: vscode.Range,
  text: string,
  startLine: number,
  lines: readonly string[],
  carry: ReadonlyArray<{ from: vscode.Position; to: vscode.Position }>,
): Array<[vscode.Range, string]> | null {
  const base = doc.offsetAt(range.start);
  const old = doc.getText(range);
  const cursors: Array<{ at: number; to: number }> = [];
  for (const c of carry) {
    if (!range.contains(c.from)) return null;
    const k = c.to.line - startLine;
    if (k < 0 || k >= lines.length || c.to.character > lines[k].length) return null;
    let to = c.to.character;
    for (let i = 0; i < k; i++) to += lines[i].length + 1;
    cursors.push({ at: doc.offsetAt(c.from) - base, to });
  }
  const pieces = anchoredPieces(old, text, cursors);
  return (
    pieces?.map((x) => [new vscode.Range(doc.positionAt(base + x.from), doc.positionAt(base + x.to)), x.text]) ?? null
  );
}

/** The edits that turn the text of `range` into `text`, one per run of changed lines (core/diff/lineEdits.ts). */
function minimalEdits(doc: vscode.TextDocument, range: vscode.Range, text: string): Array<[vscode.Range, string]> {
  const base = doc.offsetAt(range.start);
  return lineEdits(doc.getText(range), text).map((e) => [
    new vscode.Range(doc.positionAt(base + e.from), doc.positionAt(base + e.to)),
    e.text,
  ]);
}

/**
 * What a save of `doc` writes now: its text with each pending preview's lines replaced by what Reject would leave
 * (the save participant's set-aside: the original plus the typing).
 */
function wouldWrite(doc: vscode.TextDocument, views: SessionView[]): string {
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const lines = doc.getText().split(eol);
  for (const v of [...views].sort((x, y) => y.region.startLine - x.region.startLine))
    lines.splice(v.region.startLine, v.region.renderedLines().length, ...v.region.textIf('reject'));
  return lines.join(eol);
}
