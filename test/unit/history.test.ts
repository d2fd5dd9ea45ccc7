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
    h.jump(plan.to);
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
    h.record('P', '', 'accepted'); // same text, no preview
    assert.equal(h.list[2].span, 'none');
    assert.equal(drive(h, n, 'undo'), 'pending');
    assert.equal(n.text, 'P');
    assert.equal(drive(h, n, 'undo'), 'original');
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
});
