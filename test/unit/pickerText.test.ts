import assert from 'node:assert/strict';
import { MARK, PickerText } from '../../src/core/pickerText';

/**
 * The workbench's side of the picker, simulated: its input's value, the extension host's writes arriving one update
 * at a time, and every change reported back in order (as MainThreadQuickOpen does, for typed keys and writes alike).
 */
class Picker {
  value = '';
  readonly text = new PickerText();
  private readonly updates: string[] = [];
  /** The extension host hears keys typed into the code (held or late). */
  fromCode(keys: string) {
    this.text.late(keys);
    this.write();
  }
  /** The user types into the input (at its end), before the extension host's updates land. */
  type(keys: string) {
    for (const k of keys) this.set(k === '\b' ? this.value.slice(0, -1) : this.value + k);
  }
  /** The extension host's updates land, one by one (each reported back, and each answered). */
  land(n = Infinity) {
    for (let i = 0; i < n && this.updates.length; i++) this.set(this.updates.shift()!);
  }
  private set(v: string) {
    if (v === this.value) return; // the workbench reports changes only
    this.value = v;
    this.text.changed(v);
    this.write();
  }
  private write() {
    const w = this.text.toWrite();
    if (w) this.updates.push(...w);
  }
}

describe('PickerText (issue 15: the picker keeps every key typed into the code and into it, in order)', () => {
  it('held keys shown, then typing into the picker', () => {
    const p = new Picker();
    p.fromCode('rena');
    p.land();
    p.type('me out');
    assert.equal(p.text.text, 'rename out');
    assert.equal(p.value, 'rename out');
  });
  it('a key typed into the picker before the held keys are written there: after them, not overwritten', () => {
    const p = new Picker();
    p.fromCode('r'); // "rname": the r came late, the e was typed into the picker meanwhile
    p.type('e');
    p.land(1); // the marked write lands on top of the "e"
    p.type('n');
    p.land();
    p.type('ame');
    p.land();
    assert.equal(p.text.text, 'rename');
    assert.equal(p.value, 'rename');
    assert.ok(!p.value.includes(MARK));
  });
  it('a key typed into the picker equal to the late one ("add"): both kept', () => {
    const p = new Picker();
    p.fromCode('a');
    p.land();
    p.fromCode('d');
    p.type('d'); // typed before the write of the late "d" lands: the input shows "ad" either way
    p.land();
    p.type(' x');
    p.land();
    assert.equal(p.text.text, 'add x');
    assert.equal(p.value, 'add x');
  });
  it('late keys arriving one by one while the user types at the end, updates landing in between', () => {
    for (let seed = 0; seed < 200; seed++) {
      const p = new Picker();
      const typed = 'rename out to result';
      const cut = 1 + (seed % 8); // the keyboard moved to the picker after this many keys
      let rnd = seed * 7919 + 1;
      const next = () => (rnd = (rnd * 48271) % 2147483647) % 3;
      const late = typed.slice(0, cut).split('');
      const direct = typed.slice(cut).split('');
      while (late.length || direct.length) {
        const r = next();
        if (r === 0 && late.length) p.fromCode(late.shift()!);
        else if (r === 1 && direct.length && !late.length) p.type(direct.shift()!);
        else if (r === 1 && direct.length && late.length < 2) p.type(direct.shift()!);
        else p.land(1);
        if (!late.length && !direct.length) break;
        if (r === 1 && late.length >= 2) p.fromCode(late.shift()!);
      }
      p.land();
      assert.equal(p.text.text, typed, `seed ${seed}`);
      assert.equal(p.value, typed, `seed ${seed}`);
    }
  });
  it('Backspace typed into the picker deletes the last key typed, shown or not yet', () => {
    const p = new Picker();
    p.fromCode('ab');
    p.land();
    p.fromCode('c');
    p.type('\b'); // before "c" is written into the input: the user saw "ab"; the last key typed was "c"
    p.land();
    assert.equal(p.text.text, 'ab');
    assert.equal(p.value, 'ab');
  });
  it('an Enter typed into the code sends what was typed before it', () => {
    const p = new Picker();
    p.fromCode('rename out');
    assert.equal(p.text.entered, undefined);
    p.fromCode(' to result\nx');
    assert.equal(p.text.entered, 'rename out to result');
  });
});
