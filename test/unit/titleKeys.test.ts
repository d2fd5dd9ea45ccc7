/**
 * Issue 17, sixth round: the editor title's controls name one key each, the same as the lenses and the README, and
 * only one claims Esc at a time. VS Code writes a menu item's key into its tooltip ("Reject All (Escape)") by
 * KeybindingResolver.lookupPrimaryKeybinding (1.139): the last declared keybinding of the command whose `when` holds
 * in the menu's context, else the last declared one. The title bar's context is the editor group's, which has no
 * `editorTextFocus` (that key lives in the editor widget's own scope), so there the last declared one is named: Reject
 * All said "(Escape)" next to "Stop Generating (Escape)" while the model wrote (when Esc stops it). The host test
 * (controls.test.ts, "title and lens name the same keys") reads the real title bar; this one keeps the declaration
 * order from drifting in a merge.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));

interface Binding {
  command: string;
  key: string;
  when?: string;
}
type Ctx = Record<string, boolean | string>;

/** The `when` clauses used here: terms joined by `&&`, each `key`, `!key` or `key == value`. */
function holds(when: string | undefined, ctx: Ctx): boolean {
  if (!when) return true;
  assert.ok(!/\|\||\(/.test(when), `a clause this test cannot read: ${when}`);
  return when.split('&&').every((raw) => {
    const t = raw.trim();
    const eq = /^(\S+)\s*==\s*(\S+)$/.exec(t);
    if (eq) return String(ctx[eq[1]] ?? '') === eq[2];
    if (t.startsWith('!')) return !ctx[t.slice(1)];
    return !!ctx[t];
  });
}

/** VS Code's choice of the key a menu item names (KeybindingResolver.lookupPrimaryKeybinding). */
function namedKey(command: string, ctx: Ctx): string | undefined {
  const all = (pkg.contributes.keybindings as Binding[]).filter((k) => k.command === command);
  if (!all.length) return undefined;
  if (all.length === 1) return all[0].key;
  for (let i = all.length - 1; i >= 0; i--) if (holds(all[i].when, ctx)) return all[i].key;
  return all[all.length - 1].key;
}

const STATES: Record<string, Ctx> = {
  'streaming, the only hunk still open': { 'sparkEdit.hasPending': true, 'sparkEdit.streaming': true },
  'streaming, a complete hunk': {
    'sparkEdit.hasPending': true,
    'sparkEdit.streaming': true,
    'sparkEdit.canAcceptSoFar': true,
  },
  'pending, the stream ended': { 'sparkEdit.hasPending': true, 'sparkEdit.canAcceptAll': true },
};

describe('the editor title names the same keys as the lenses (issue 17)', () => {
  for (const [state, keys] of Object.entries(STATES)) {
    for (const focus of [false, true]) {
      it(`${state}, ${focus ? 'with' : 'without'} editorTextFocus in the menu's context`, () => {
        const ctx = { ...keys, editorTextFocus: focus };
        const shown = (pkg.contributes.menus['editor/title'] as Array<{ command: string; when?: string }>)
          .filter((m) => m.command.startsWith('sparkEdit.') && holds(m.when, ctx))
          .map((m) => m.command);
        const named = Object.fromEntries(shown.map((c) => [c, namedKey(c, ctx)]));
        // Reject All: Ctrl+Backspace, as its lens says (codeLens.ts), in every state.
        if (shown.includes('sparkEdit.rejectAll')) assert.equal(named['sparkEdit.rejectAll'], 'ctrl+backspace');
        if (shown.includes('sparkEdit.acceptAll')) assert.equal(named['sparkEdit.acceptAll'], 'ctrl+enter');
        // Esc: only Stop claims it, and only while the model writes.
        const esc = shown.filter((c) => named[c] === 'escape');
        assert.deepEqual(esc, keys['sparkEdit.streaming'] ? ['sparkEdit.interrupt'] : [], JSON.stringify(named));
      });
    }
  }

  it('Ctrl+I in the editor always opens a box: a new edit, or while the model writes, Redirect (never nothing)', () => {
    // Round-8 newcomer: Ctrl+I while an edit was writing did nothing, and the instruction typed next went into the code.
    const ctrlI = (ctx: Ctx) =>
      (pkg.contributes.keybindings as Binding[])
        .filter((k) => k.key === 'ctrl+i' && holds(k.when, { editorTextFocus: true, ...ctx }))
        .map((k) => (k.command === 'runCommands' ? 'sparkEdit.editSelection (holding keys)' : k.command));
    const writing = { 'sparkEdit.hasPending': true, 'sparkEdit.streaming': true };
    assert.deepEqual(ctrlI({ ...writing, activeEditorCanToggleReadonly: true }), ['sparkEdit.redirect']);
    assert.deepEqual(ctrlI({ activeEditorCanToggleReadonly: true, 'sparkEdit.canHoldKeys': true }), [
      'sparkEdit.editSelection (holding keys)',
    ]);
    assert.deepEqual(ctrlI({ 'sparkEdit.hasPending': true }), ['sparkEdit.editSelection']);
    // In the box itself (a comment editor), Ctrl+I is the box's own.
    assert.deepEqual(ctrlI({ ...writing, commentEditorFocused: true }), []);
  });

  it('Esc in the box with its suggestion list open closes the list, not the box (nor does Enter send)', () => {
    // Round-8 newcomer: Esc on Ctrl+Space's list closed the box too; the keys typed next replaced the selected code.
    const box = { commentEditorFocused: true, commentController: 'sparkEdit.prompt', editorTextFocus: true };
    const ours = (key: string, ctx: Ctx) =>
      (pkg.contributes.keybindings as Binding[])
        .filter((k) => k.key === key && holds(k.when, ctx))
        .map((k) => k.command);
    assert.deepEqual(ours('escape', { ...box, suggestWidgetVisible: true }), []);
    assert.deepEqual(ours('enter', { ...box, suggestWidgetVisible: true }), []);
    assert.deepEqual(ours('up', { ...box, suggestWidgetVisible: true }), []);
    assert.deepEqual(ours('escape', box), ['sparkEdit.inlinePrompt.cancel']);
  });

  it('Esc does what the controls say in each state (the key bindings themselves, with the editor focused)', () => {
    const esc = (ctx: Ctx) =>
      (pkg.contributes.keybindings as Binding[])
        .filter((k) => k.key === 'escape' && k.command.match(/^sparkEdit\.(interrupt|rejectAll)$/))
        .filter((k) => holds(k.when, { ...ctx, editorTextFocus: true }))
        .map((k) => k.command);
    assert.deepEqual(esc(STATES['streaming, the only hunk still open']), ['sparkEdit.interrupt']);
    assert.deepEqual(esc(STATES['pending, the stream ended']), ['sparkEdit.rejectAll']);
  });
});
