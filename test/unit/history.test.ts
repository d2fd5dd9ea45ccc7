import assert from 'node:assert/strict';
import { PreviewHistory } from '../../src/core/session/history';

/**
 * The undo history of previews against a simulated editor undo stack: the stream's edits are split into several
 * native steps (as a save does in VS Code); undo/redo driven by the plans must land only on resting states.
 */
class Native {
  stack: string[] = ['S0'];
  pos = 0;
  edit(text: string) {
    this.stack.length = this.pos + 1;
    this.stack.push(text);
    this.pos++;
  }
  undo() {
    if (this.pos > 0) this.pos--;
    return this.stack[this.pos];
  }
  redo() {
    if (this.pos < this.stack.length - 1) this.pos++;
    return this.stack[this.pos];
  }
  get text() {
    return this.stack[this.pos];
  }
}

function drive(h: PreviewHistory<string>, n: Native, dir: 'undo' | 'redo'): string {
  const plan = dir === 'undo' ? h.planUndo() : h.planRedo();
  n[dir]();
  if (plan.kind === 'jump') {
    n[dir === 'undo' ? 'redo' : 'undo']();
    if (dir === 'undo') h.jumpedBack(plan.to);
    else h.jump(plan.to);
    return h.list[plan.to].state;
  }
  if (plan.kind === 'once') {
    const j = h.land(n.text, dir);
    return j >= 0 ? h.list[j].state : `plain:${n.text}`;
  }
  for (let i = 0; i < 100 && n.text !== h.list[plan.to].hash; i++) n[dir]();
  h.jump(plan.to);
  return h.list[plan.to].state;
}

describe('preview undo history (issue 11)', () => {
  it('undo/redo after reject-all, accept-all and per-hunk decisions land only on resting states', () => {
    const n = new Native();
    const h = new PreviewHistory<string>();
    h.record('S0', '', 'original');
    for (const t of ['s1', 's2', 's3', 'P']) {
      n.edit(t);
      h.noteOwnEdit(true);
    } // a stream, in four native steps
    h.record('P', 'p2', 'pending');
    n.edit('P1');
    h.noteOwnEdit(false);
    h.record('P1', 'p1', 'one hunk accepted');
    n.edit('S0');
    h.noteOwnEdit(false);
    h.record('S0', '', 'rejected');
    assert.equal(drive(h, n, 'undo'), 'one hunk accepted');
    assert.equal(drive(h, n, 'undo'), 'pending');
    assert.equal(drive(h, n, 'undo'), 'original');
    assert.equal(n.pos, 0, 'the whole stream was undone');
    assert.equal(drive(h, n, 'redo'), 'pending');
    assert.equal(drive(h, n, 'redo'), 'one hunk accepted');
    assert.equal(drive(h, n, 'redo'), 'rejected');
  });

  it('a decision that changed no text (accepting pure additions) is one undo step with no native step', () => {
    const n = new Native();
    const h = new PreviewHistory<string>();
    h.record('S0', '', 'original');
    n.edit('x');
    h.noteOwnEdit(true);
    n.edit('P');
    h.noteOwnEdit(true);
    h.record('P', 'p', 'pending');
    h.record('P', '', 'accepted', 'P'); // same text, no preview (the text kept for Spark Edit's own Redo)
    assert.equal(h.list[2].span, 'none');
    assert.equal(drive(h, n, 'undo'), 'pending');
    assert.equal(n.text, 'P');
    // The editor's Redo was used to put its step back: nothing of it is left to redo the Accept (session 17: Redo did
    // nothing). Redo is Spark Edit's own there (the guard writes no text, it shows the state).
    assert.equal(h.ownRedo(), 2);
    h.ownRedone(2);
    assert.equal(h.list[h.index].state, 'accepted');
    assert.equal(drive(h, n, 'undo'), 'pending');
    assert.equal(drive(h, n, 'undo'), 'original');
  });

  it("Spark Edit's own Redo goes back over what one Undo went over (typing the editor undid in one step)", () => {
    const h = new PreviewHistory<string>();
    h.record('S0', '', 'original', 'S0');
    h.noteOwnEdit(true);
    h.record('P', 'p', 'pending', 'P');
    for (const t of ['Px', 'Pxy', 'Pxyz']) {
      h.noteUserEdit();
      h.record(t, 'p', `typed ${t}`, t); // each key recorded while the diff is pending
    }
    assert.equal(h.land('P', 'undo'), 1, 'one native Undo took the three keys');
    h.cutRedo(); // a save with the diff pending ended the editor's Redo
    assert.equal(h.ownRedo(), 4, 'Redo gives all of the typing back, not its first key');
    h.ownRedone(4);
    assert.equal(h.land('Pxy', 'undo'), 3, 'one key undone');
    h.cutRedo();
    assert.equal(h.ownRedo(), 4, 'and one redone');
  });

  it("own edits only since the last checkpoint (an undo into them lands on no one's text); not once the user typed", () => {
    const h = new PreviewHistory<string>();
    h.record('S0', '', 'original');
    assert.equal(h.ownEditsOnly, false, 'at a checkpoint');
    h.noteOwnEdit(true);
    h.noteOwnEdit(true);
    assert.equal(h.ownEditsOnly, true, 'half a stream');
    h.noteUserEdit();
    h.noteOwnEdit(true);
    assert.equal(h.ownEditsOnly, false, 'the user typed among them');
    h.record('P', 'p', 'pending');
    h.noteOwnEdit(false);
    assert.equal(h.ownEditsOnly, true, "a decision's edit, not recorded yet");
    h.jump(0);
    assert.equal(h.ownEditsOnly, false);
    // An Undo walked down to checkpoint 0 through our own edits: a Redo from there goes into them, until the user types.
    h.walkedDownTo(0);
    assert.equal(h.intoOwnEdits('redo'), true);
    assert.equal(h.intoOwnEdits('undo'), false);
    h.noteUserEdit();
    h.jump(0);
    assert.equal(h.intoOwnEdits('redo'), false, 'the typing replaced that Redo');
  });

  it("the user's typing after a checkpoint truncates what redo can reach, and is undone a step at a time", () => {
    const n = new Native();
    const h = new PreviewHistory<string>();
    h.record('S0', '', 'original');
    n.edit('P');
    h.noteOwnEdit(true);
    h.record('P', 'p', 'pending');
    n.edit('S0');
    h.noteOwnEdit(false);
    h.record('S0', '', 'rejected');
    n.edit('typed 1');
    h.noteUserEdit();
    n.edit('typed 2');
    h.noteUserEdit();
    assert.equal(drive(h, n, 'undo'), 'plain:typed 1');
    assert.equal(drive(h, n, 'undo'), 'rejected');
    assert.equal(drive(h, n, 'undo'), 'pending');
    n.edit('new branch');
    h.noteUserEdit();
    assert.equal(h.list.length, 2, 'states after the pending preview are unreachable now');
  });

  it("a save's set-aside with states ahead cuts the editor's Redo: Redo is Spark Edit's own there, and chains", () => {
    const n = new Native();
    const h = new PreviewHistory<string>();
    h.record('S0', '', 'original', 'S0');
    n.edit('P');
    h.noteOwnEdit(true);
    h.record('P', 'p', 'pending', 'P');
    n.edit('A');
    h.noteOwnEdit(false);
    h.record('A', '', 'accepted', 'A');
    assert.equal(drive(h, n, 'undo'), 'pending');
    assert.equal(h.ownRedo(), undefined, "the editor's Redo still works");
    // An auto-save sets the diff aside and shows it again: two editor edits, the editor's Redo is gone.
    h.cutRedo();
    n.edit('S0');
    n.edit('P');
    assert.equal(n.redo(), 'P', 'the editor has nothing to redo');
    assert.equal(h.ownRedo(), 2);
    // Spark Edit's own Redo: the accepted text as one editor edit.
    n.edit(h.list[2].text!);
    h.ownRedone(2);
    assert.equal(n.text, 'A');
    assert.equal(drive(h, n, 'undo'), 'pending', 'Undo takes the own Redo back natively');
    assert.equal(drive(h, n, 'redo'), 'accepted', "and the editor's Redo redoes it");
    assert.equal(h.ownRedo(), undefined, 'nothing ahead');
    assert.equal(drive(h, n, 'undo'), 'pending');
    assert.equal(drive(h, n, 'undo'), 'original');
    assert.equal(h.ownRedo(), undefined, "the editor's Redo reaches the pending state");
    assert.equal(drive(h, n, 'redo'), 'pending');
    assert.equal(h.ownRedo(), undefined, "the own Redo's edit is in the editor's stack: its Redo reaches it");
    assert.equal(drive(h, n, 'redo'), 'accepted');
    n.edit('typed');
    h.noteUserEdit();
    assert.equal(h.nativeRedoTop, Infinity, 'a new branch: no cut, nothing ahead');
  });
});
