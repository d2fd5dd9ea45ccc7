import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import type { SessionView } from '../../src/vscode/preview';
import {
  autoSave,
  autoSaveOffForSuite,
  hostSuite,
  openFileWith,
  startEdit,
  startHeldEdit,
  waitFor,
  WRAP_ANSWER,
  WRAP_FUNCTION,
  WRAP_HOLD,
} from './helpers';

/**
 * Issue 11 (HA), the class behind "typing inside the edit while it streams": the stream is held mid-line and keys are
 * typed one at a time (the `type` command, as a person types) at every place relative to the stream, then the edit is
 * decided. Byte for byte: every typed key is in the final document, on the line it was typed into (no key inside a
 * line the model wrote later: no splice), and every line the user did not touch is the model's (Accept), the
 * original's (Reject), or, when the stream was stopped, the model's down to where it stopped and the original's below.
 *
 * The design (README, "Typing while it streams"): typing above the line the model is writing (or outside the edit)
 * lets it go on; typing on that line or below it (code the model has not reached) stops the stream there, like Esc:
 * the finished hunks stay pending, the rest of the old code stays as the user left it.
 */

const KEYS = 'Zq9';
const N = 8;
const fn = (v: string) => [
  'export function f() {',
  ...Array.from({ length: N }, (_, i) => [`  ${v} a${i} = ${i};`, `  keep${i}();`]).flat(),
  '  return a0;',
  '}',
];
const HEADER = '// header';
const FOOTER = '// footer';
const ORIGINAL = [HEADER, ...fn('var'), FOOTER];
const MODEL = [HEADER, ...fn('let'), FOOTER];
/** The stream is held here: hunks a0..a2 finished, `  let a3 = ` being written, `  var a3 = 3;` not reached yet. */
const HOLD_AT = '  let a3 = ';
/** Document lines above the frontier when held: the header, `export function`, a0..a2 with their keep lines. */
const ABOVE = 1 + 1 + 3 * 2;
/** What the edit proposes when stopped at the hold: the model's lines down to the frontier, the original's below. */
const STOPPED = [...MODEL.slice(0, ABOVE), ...ORIGINAL.slice(ABOVE)];
const ANSWER = fn('let').join('\n') + '\n';

type Decision = 'accept' | 'reject' | 'esc';
type Lines = string[];
interface Place {
  name: string;
  /** Where the keys go, in the held document (its lines): [line, column]; `enter`: a new line is typed after it first. */
  at: (doc: Lines) => [number, number];
  enter?: boolean;
  /** Does typing here stop the stream (the design above)? */
  stops: boolean;
  /** The keys alone are the user's line: typed into the line being written, whose text is withdrawn (HA8). */
  alone?: boolean;
  /** The user's line as it ends up, when it is not the line typed into with the keys in (a removed row's prefix goes). */
  line?: string;
  /**
   * The final document for a decision, given the user's line (`typed`: the line as it was with the keys in) and the
   * base text (the model's, the original's or the stopped proposal).
   */
  expect: (base: Lines, typed: string, d: Decision) => Lines;
}

// Issue 11, session 14: the half line `  let a3 = ` changes `  var a3 = 3;` a little, so it is drawn right below it (it
// was above): keys typed into it stay there, below the old line (`inserting('  var a3 = 3;', true)` below).
const lineOf = (doc: Lines, text: string) => {
  const i = doc.indexOf(text);
  assert.ok(i >= 0, `"${text}" in the held document:\n${doc.join('\n')}`);
  return i;
};
const partialLine = (doc: Lines) => {
  const i = doc.findIndex((l) => l.startsWith(HOLD_AT.trimEnd()));
  assert.ok(i >= 0, `the line being written in the held document:\n${doc.join('\n')}`);
  return i;
};
/** `typed` replaces the line `text` of `base`. */
const replacing = (text: string) => (base: Lines, typed: string) => base.map((l) => (l === text ? typed : l));
/** `typed` is a line of its own before (or after) the line `text` of `base`. */
const inserting =
  (text: string, after = false) =>
  (base: Lines, typed: string) => {
    const i = base.indexOf(text);
    return [...base.slice(0, i + (after ? 1 : 0)), typed, ...base.slice(i + (after ? 1 : 0))];
  };

const PLACES: Place[] = [
  { name: 'above the region', at: (d) => [0, d[0].length], stops: false, expect: replacing(HEADER) },
  {
    name: 'in a finished added row (middle)',
    at: (d) => [lineOf(d, '  let a1 = 1;'), '  let a1'.length],
    stops: false,
    // A row of the model's the user edited is theirs: kept on Reject too, below the original line it replaced.
    expect: (base, typed, d) =>
      d === 'reject' ? inserting('  var a1 = 1;', true)(base, typed) : replacing('  let a1 = 1;')(base, typed),
  },
  {
    // Issue 11 (HA8): keys typed into a struck-through line were gone on Accept All. The row is the user's now: it
    // leaves its hunk, is plain code again (its comment prefix goes) and stays on Accept and on Reject, above the
    // model's line that replaces it, as an added row the user typed into stays on Reject.
    name: 'in a removed row (shown struck through)',
    at: (d) => [lineOf(d, '//   var a1 = 1;'), '//   var a1 = 1;'.length],
    stops: false,
    line: '  var a1 = 1;' + KEYS,
    expect: (base, typed, d) =>
      d === 'reject' ? replacing('  var a1 = 1;')(base, typed) : inserting('  let a1 = 1;')(base, typed),
  },
  ...(['start', 'middle', 'end'] as const).map((where): Place => ({
    name: `in the line the stream is writing (${where})`,
    at: (d) => {
      const i = partialLine(d);
      return [i, where === 'start' ? 0 : where === 'middle' ? '  let'.length : d[i].length];
    },
    stops: true,
    // The stream stops at the first key and its unfinished line goes, as on Esc; the keys stay where they were typed,
    // a line of the user's (kept on Accept and Reject). The half line `  let a3 = ` changes `  var a3 = 3;` a little,
    // so it is drawn below it (issue 11, session 14; it was above): the keys' line is below the old line. Before (HA7)
    // the model's half line stayed beside them (`  let a3 = Zq9`, or in the browser `    for ( /*kk1*/`): it never
    // compiles.
    alone: true,
    expect: inserting('  var a3 = 3;', true),
  })),
  {
    name: 'in an old row just below the frontier',
    at: (d) => [lineOf(d, '  var a3 = 3;'), '  var a3 = 3;'.length],
    stops: true,
    expect: replacing('  var a3 = 3;'),
  },
  {
    name: 'in an old row far below (one the model changes)',
    at: (d) => [lineOf(d, '  var a6 = 6;'), '  var a6'.length],
    stops: true,
    expect: replacing('  var a6 = 6;'),
  },
  {
    name: 'on a new line typed between old rows',
    at: (d) => [lineOf(d, '  keep5();'), '  keep5();'.length],
    enter: true,
    stops: true,
    expect: inserting('  keep5();', true),
  },
  {
    name: 'below the region',
    at: (d) => [d.length - 2, d[d.length - 2].length],
    stops: false,
    expect: replacing(FOOTER),
  },
];

/** What the document must be after decision `d` when the user typed at `p` (the user's line: `typed`). */
function expected(p: Place, d: Decision, typed: string): string {
  const stopped = p.stops || d === 'esc';
  const base = d === 'reject' ? ORIGINAL : stopped ? STOPPED : MODEL;
  return [...p.expect(base, typed, d), ''].join('\n');
}

describe('Typing while it streams: every place × every decision (issue 11, real VS Code host)', function () {
  this.timeout(120_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  const files = hostSuite('typing', (x, s) => {
    a = x;
    server = s;
  });
  autoSaveOffForSuite();
  afterEach(() => a.beforeOwnEdit(undefined));

  /** Open the file, start the edit, and hold the stream mid-line at HOLD_AT; the document is in step with the region. */
  async function heldEdit(name: string): Promise<{ ed: vscode.TextEditor; v: SessionView; uri: vscode.Uri }> {
    const uri = files.fileFor(name);
    const ed = await openFileWith(uri, ORIGINAL.join('\n') + '\n');
    ed.selection = new vscode.Selection(1, 0, ORIGINAL.length - 2, ORIGINAL[ORIGINAL.length - 2].length);
    const hold = ANSWER.indexOf(HOLD_AT) + HOLD_AT.length;
    const v = await startHeldEdit(a, server, { text: ANSWER, hold, instruction: 'use let' });
    await waitFor(() => ed.document.getText().includes(HOLD_AT.trimEnd()), 'the line being written shown');
    return { ed, v, uri };
  }

  /** Type KEYS at `p`, one character at a time; returns the user's line as it must end up. */
  async function typeAt(ed: vscode.TextEditor, p: Place): Promise<string> {
    const doc = ed.document.getText().split('\n');
    const [line, col] = p.at(doc);
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(line, col, line, col);
    if (p.enter) {
      await vscode.commands.executeCommand('type', { text: '\n' });
      await waitFor(() => ed.document.lineCount === doc.length + 1, 'the new line');
    }
    for (const ch of KEYS) await vscode.commands.executeCommand('type', { text: ch });
    if (p.enter) return ed.document.lineAt(line + 1).text;
    if (p.alone) return KEYS;
    if (p.line) return p.line;
    return doc[line].slice(0, col) + KEYS + doc[line].slice(col);
  }

  async function decide(v: SessionView, d: Decision): Promise<void> {
    if (d === 'esc') {
      await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
      await v.session.whenSettled();
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    } else {
      if (d === 'accept') {
        server.release();
        await v.session.whenSettled();
      }
      await vscode.commands.executeCommand(d === 'accept' ? 'sparkEdit.acceptAll' : 'sparkEdit.rejectAll', {
        sessionId: v.session.id,
      });
    }
    await waitFor(() => v.isEnded, 'the edit decided');
  }

  for (const p of PLACES)
    for (const d of ['accept', 'reject', 'esc'] as const)
      it(`typed ${p.name}, then ${d === 'esc' ? 'Esc and Accept All' : d === 'accept' ? 'Accept All' : 'Reject All'}: every key kept, no splice`, async () => {
        const { ed, v } = await heldEdit('place');
        const typed = await typeAt(ed, p);
        const streaming = v.session.isStreaming;
        await decide(v, d);
        server.release();
        const text = ed.document.getText();
        assert.equal(text.split(KEYS).length, 2, `the keys, once:\n${text}`);
        assert.ok(text.split('\n').includes(typed), `the user's line as typed ("${typed}"):\n${text}`);
        assert.equal(streaming, !p.stops, p.stops ? 'typing here stops the stream' : 'it goes on streaming');
        assert.equal(text, expected(p, d, typed), `after typing ${p.name} and ${d}`);
      });

  // Issue 11 (HA8): the same in a pending diff (the stream has ended): keys typed into a removed row were gone on Accept.
  for (const d of ['accept', 'reject', 'esc'] as const)
    it(`typed into a removed row of a pending diff, then ${d === 'esc' ? 'Esc and Accept All' : d === 'accept' ? 'Accept All' : 'Reject All'}: the row is the user's, kept`, async () => {
      const p = PLACES.find((x) => x.name.startsWith('in a removed row'))!;
      const { ed, v } = await heldEdit('pending-removed');
      server.release();
      await v.session.whenSettled();
      await waitFor(() => v.region.planFlush() === null, 'in sync');
      const typed = await typeAt(ed, p);
      await waitFor(() => v.region.planFlush() === null, 'in sync after the keys');
      assert.ok(
        !ed.document.getText().includes('//   var a1 = 1;'),
        `the typed-in row is plain code again (no prefix):\n${ed.document.getText()}`,
      );
      await decide(v, d);
      const text = ed.document.getText();
      assert.equal(text.split(KEYS).length, 2, `the keys, once:\n${text}`);
      assert.equal(text, [...p.expect(d === 'reject' ? ORIGINAL : MODEL, typed, d), ''].join('\n'));
    });

  // The newcomer's splices (`order.items.lengthmine B;`) and lost lines: the cursor was left in the stream's way a
  // moment before typing. VS Code kept it at the same line and column while the stream replaced the lines around it,
  // so it ended up inside the struck-through old line or inside the model's new line. It stays on its line of code now.
  const LEFT: Array<{ name: string; at: (d: Lines) => [number, number]; then: (typedOn: string) => [string, string] }> =
    [
      {
        name: 'at the end of the line being written',
        at: (d) => [partialLine(d), d[partialLine(d)].length],
        // It rides along with the end while the line is written: the keys after the model's line, not inside it.
        then: () => ['  let a3 = 3;', '  let a3 = 3;' + KEYS],
      },
      {
        name: 'inside the line being written',
        at: (d) => [partialLine(d), '  le'.length],
        then: () => ['  let a3 = 3;', '  le' + KEYS + 't a3 = 3;'],
      },
      {
        name: 'at the end of the last finished line',
        at: (d) => [lineOf(d, '  keep2();'), '  keep2();'.length],
        then: () => ['  keep2();', '  keep2();' + KEYS],
      },
    ];
  for (const c of LEFT)
    it(`a cursor left ${c.name}, then the stream goes on: the keys typed after it land on that line (no splice)`, async () => {
      const { ed, v } = await heldEdit('left');
      const [line, col] = c.at(ed.document.getText().split('\n'));
      await vscode.window.showTextDocument(ed.document);
      ed.selection = new vscode.Selection(line, col, line, col);
      server.release();
      await v.session.whenSettled();
      await waitFor(() => v.region.planFlush() === null, 'in sync');
      for (const ch of KEYS) await vscode.commands.executeCommand('type', { text: ch });
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'the edit decided');
      const [was, now] = c.then('');
      assert.equal(ed.document.getText(), MODEL.map((l) => (l === was ? now : l)).join('\n') + '\n');
    });

  it('a cursor left in an old line below the frontier stays on that line once the stream has passed it (shown removed)', async () => {
    const { ed, v } = await heldEdit('left-old');
    const line = lineOf(ed.document.getText().split('\n'), '  var a3 = 3;');
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(line, '  var a3 = 3;'.length, line, '  var a3 = 3;'.length);
    server.release();
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    for (const ch of KEYS) await vscode.commands.executeCommand('type', { text: ch });
    // On the old line (a removed row, behind its comment prefix): Reject keeps it, as typed.
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'the edit decided');
    assert.equal(ed.document.getText(), ORIGINAL.map((l) => (l === '  var a3 = 3;' ? l + KEYS : l)).join('\n') + '\n');
  });

  // Issue 11 (HA8), the browser's splice (`    for (/va*kkc5*/r`): there each key is its own round trip to the extension
  // host while the stream's edits go on, so a key can reach the editor right AFTER one of our edits, before the
  // extension host hears that it landed and puts the cursor back on its row. The seam `previewSent` types the key
  // there, every time: the editor itself must put the cursor where it belongs as it applies our edit.
  const RACED: Array<{
    name: string;
    at: (d: Lines) => [number, number];
    /** Where the stream is held a second time: the edit the key follows is the one that brings the text up to here. */
    second: number;
    stops: boolean;
    expect: () => Lines;
  }> = [
    {
      name: 'at the end of the line being written (the stream adds a character)',
      at: (d) => [partialLine(d), d[partialLine(d)].length],
      second: ANSWER.indexOf(HOLD_AT) + HOLD_AT.length + 1,
      stops: true,
      // The stream stops at the key: the model's unfinished line goes (as on Esc), the keys stay where they were typed.
      expect: () => inserting('  var a3 = 3;', true)(STOPPED, KEYS),
    },
    {
      name: 'inside the line being written (the stream adds a character)',
      at: (d) => [partialLine(d), '  le'.length],
      second: ANSWER.indexOf(HOLD_AT) + HOLD_AT.length + 1,
      stops: true,
      expect: () => inserting('  var a3 = 3;', true)(STOPPED, KEYS),
    },
    {
      name: 'at the end of an old row just below the line being written (the stream passes it: shown removed)',
      at: (d) => [lineOf(d, '  var a3 = 3;'), '  var a3 = 3;'.length],
      second: ANSWER.indexOf('  keep3();\n') + '  keep3();\n'.length,
      stops: false,
      // The removed row the user typed into is theirs: kept on Accept (above the model's line that replaces it).
      expect: () => inserting('  let a3 = 3;')(MODEL, '  var a3 = 3;' + KEYS),
    },
  ];
  for (const c of RACED)
    it(`a key that reaches the editor right after one of the stream's edits, cursor ${c.name}: no splice, then Accept All`, async () => {
      const uri = files.fileFor('raced');
      const ed = await openFileWith(uri, ORIGINAL.join('\n') + '\n');
      ed.selection = new vscode.Selection(1, 0, ORIGINAL.length - 2, ORIGINAL[ORIGINAL.length - 2].length);
      const hold = ANSWER.indexOf(HOLD_AT) + HOLD_AT.length;
      const held = server.held;
      server.enqueue({ text: ANSWER, tokensPerSecond: 400, holdAfterChars: [hold, c.second] });
      const v = await startEdit(a, 'use let');
      await waitFor(
        () => server.held > held && v.session.text.length >= hold && v.region.planFlush() === null,
        'the stream held mid-line',
      );
      const [line, col] = c.at(ed.document.getText().split('\n'));
      await vscode.window.showTextDocument(ed.document);
      ed.selection = new vscode.Selection(line, col, line, col);
      let fired = false;
      a.beforeOwnEdit((doc, w) => {
        if (fired || w !== 'previewSent' || doc !== ed.document || v.session.text.length < c.second) return;
        fired = true;
        a.beforeOwnEdit(undefined);
        void vscode.commands.executeCommand('type', { text: KEYS[0] });
      });
      server.release();
      await waitFor(() => fired && ed.document.getText().includes(KEYS[0]), 'the first key, right after our edit');
      for (const ch of KEYS.slice(1)) await vscode.commands.executeCommand('type', { text: ch });
      await waitFor(() => !v.session.isStreaming || !c.stops, 'the stream stopped');
      assert.equal(v.session.isStreaming, !c.stops, c.stops ? 'the key stopped the stream' : 'it goes on streaming');
      if (!c.stops) {
        server.release();
        await v.session.whenSettled();
      }
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'the edit decided');
      const text = ed.document.getText();
      assert.equal(text.split(KEYS).length, 2, `the keys, once and contiguous:\n${text}`);
      assert.equal(text, [...c.expect(), ''].join('\n'));
    });

  // Issue 11 (HA8b), the browser's reorder (` /*kk3*/` → `/*kk3*/ `): the user's first key on the line being written
  // stops the stream and the next flush WITHDRAWS the model's half line. A key that reaches the editor right after that
  // edit (the seam `previewSent`), before the extension host hears it landed, must land after the first key, and so
  // must every key after it: all the keys contiguous and in order, alone on their line.
  for (const at of ['end', 'middle'] as const)
    it(`a key that reaches the editor right after the edit that withdraws the line being written (cursor at its ${at}): the keys in order`, async () => {
      const { ed, v } = await heldEdit(`withdrawn-${at}`);
      const doc = ed.document.getText().split('\n');
      const line = partialLine(doc);
      const col = at === 'end' ? doc[line].length : '  le'.length;
      await vscode.window.showTextDocument(ed.document);
      ed.selection = new vscode.Selection(line, col, line, col);
      let fired = false;
      a.beforeOwnEdit((d, w) => {
        if (fired || w !== 'previewSent' || d !== ed.document) return;
        fired = true;
        a.beforeOwnEdit(undefined);
        void vscode.commands.executeCommand('type', { text: KEYS[1] });
      });
      await vscode.commands.executeCommand('type', { text: KEYS[0] });
      await waitFor(
        () => fired && ed.document.getText().includes(KEYS[1]),
        'the second key, right after the withdrawal',
      );
      for (const ch of KEYS.slice(2)) await vscode.commands.executeCommand('type', { text: ch });
      await waitFor(() => !v.session.isStreaming, 'the stream stopped');
      await waitFor(() => v.region.planFlush() === null, 'in sync');
      const text = ed.document.getText();
      assert.equal(text.split(KEYS).length, 2, `the keys, once, contiguous and in order:\n${text}`);
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'the edit decided');
      assert.equal(ed.document.getText(), [...inserting('  var a3 = 3;', true)(STOPPED, KEYS), ''].join('\n'));
    });

  // The newcomer's case (demo orders.ts, "add error handling"): the open hunk holds added rows above the line being
  // written (`  try {`, `    var sum = 0;`), so the edit that withdraws it also takes those out: the user's line moves up.
  it('a key that reaches the editor right after the edit that withdraws an open hunk of several rows: the keys in order', async () => {
    const original = ['// top', ...WRAP_FUNCTION, '// end'];
    const answer = WRAP_ANSWER;
    const uri = files.fileFor('withdrawn-hunk');
    const ed = await openFileWith(uri, original.join('\n') + '\n');
    ed.selection = new vscode.Selection(1, 0, 7, 1);
    const hold = WRAP_HOLD;
    const v = await startHeldEdit(a, server, { text: answer, hold, instruction: 'add error handling' });
    await waitFor(() => ed.document.getText().includes('    for (var i = 0; i\n'), 'the line being written shown');
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    const line = ed.document.getText().split('\n').indexOf('    for (var i = 0; i');
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(line, 21, line, 21);
    const keys = ' /*kk*/';
    let fired = false;
    a.beforeOwnEdit((d, w) => {
      if (fired || w !== 'previewSent' || d !== ed.document) return;
      fired = true;
      a.beforeOwnEdit(undefined);
      void vscode.commands.executeCommand('type', { text: keys[1] });
    });
    await vscode.commands.executeCommand('type', { text: keys[0] });
    await waitFor(
      () => fired && ed.document.getText().includes(keys.slice(0, 2)),
      'the second key, right after the withdrawal',
    );
    for (const ch of keys.slice(2)) await vscode.commands.executeCommand('type', { text: ch });
    await waitFor(() => !v.session.isStreaming, 'the stream stopped');
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    const text = ed.document.getText();
    assert.equal(text.split(keys).length, 2, `the keys, once, contiguous and in order:\n${text}`);
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'the edit decided');
    const lines = ed.document.getText().split('\n');
    const k = lines.indexOf(keys);
    assert.ok(k > 0, `the keys alone on their line:\n${lines.join('\n')}`);
    assert.equal([...lines.slice(0, k), ...lines.slice(k + 1)].join('\n'), original.join('\n') + '\n');
  });

  // Issue 11 (HA8b), the browser's reorder (` /*kk6*/` → `/*kk6*/ `, the cursor at column 0 of the line the withdrawal
  // left): in the browser the selection can reach the extension host after the keystroke's text, and a move made after
  // one of our edits from what the extension host knew took the cursor back to where the user was one key earlier. The
  // seam `preview` moves the cursor as our edit goes out (a click the extension host hears of only afterwards): once
  // the edit landed the cursor is where the user put it, carried by the edit, never moved back.
  it("a cursor the extension host hears of late (moved as one of the stream's edits goes out): the edit never moves it back", async () => {
    const uri = files.fileFor('late-cursor');
    const ed = await openFileWith(uri, ORIGINAL.join('\n') + '\n');
    ed.selection = new vscode.Selection(1, 0, ORIGINAL.length - 2, ORIGINAL[ORIGINAL.length - 2].length);
    const hold = ANSWER.indexOf(HOLD_AT) + HOLD_AT.length;
    const held = server.held;
    server.enqueue({ text: ANSWER, tokensPerSecond: 400, holdAfterChars: [hold, hold + 1] });
    const v = await startEdit(a, 'use let');
    await waitFor(
      () => server.held > held && v.session.text.length >= hold && v.region.planFlush() === null,
      'the stream held mid-line',
    );
    const doc = ed.document.getText().split('\n');
    const line = partialLine(doc);
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(line, doc[line].length, line, doc[line].length); // it follows the end
    const clicked = new vscode.Selection(line, '  le'.length, line, '  le'.length);
    let fired = false;
    a.beforeOwnEdit((d, w) => {
      if (fired || w !== 'preview' || d !== ed.document) return;
      fired = true;
      a.beforeOwnEdit(undefined);
      ed.selection = clicked;
    });
    server.release();
    await waitFor(
      () => fired && server.held > held + 1 && v.session.text.length > hold && v.region.planFlush() === null,
      "the stream's edit after the click, landed",
    );
    // One round trip to the editor: whatever the extension host does once it hears the edit landed is done by then.
    await vscode.window.showTextDocument(ed.document);
    assert.equal(ed.document.lineAt(ed.selection.active.line).text, HOLD_AT + '3', 'the cursor on its line');
    assert.equal(ed.selection.active.character, clicked.active.character, 'the cursor where the user put it');
    server.release();
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'the edit decided');
  });

  // Issue 11 (HA8b), the browser's missed stop (`    for (var i = 0; i  /*kk21*/`, the model writing on): the key
  // reaches the editor right BEFORE the flush that completes the line being written (the seam `preview`), so that flush
  // is refused and the key is in the half line the document still shows, while the region's row is already finished.
  // It is still the line being written as the user saw it: the stream stops, the model's text there goes, the keys stay.
  it('a key that reaches the editor right before the flush that completes the line being written: the stream stops, the keys alone', async () => {
    const uri = files.fileFor('completed');
    const ed = await openFileWith(uri, ORIGINAL.join('\n') + '\n');
    ed.selection = new vscode.Selection(1, 0, ORIGINAL.length - 2, ORIGINAL[ORIGINAL.length - 2].length);
    const hold = ANSWER.indexOf(HOLD_AT) + HOLD_AT.length;
    const done = ANSWER.indexOf('  let a3 = 3;\n') + '  let a3 = 3;\n'.length;
    const held = server.held;
    server.enqueue({ text: ANSWER, tokensPerSecond: 400, holdAfterChars: [hold, done] });
    const v = await startEdit(a, 'use let');
    await waitFor(
      () => server.held > held && v.session.text.length >= hold && v.region.planFlush() === null,
      'the stream held mid-line',
    );
    const doc = ed.document.getText().split('\n');
    const line = partialLine(doc);
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(line, doc[line].length, line, doc[line].length);
    let fired = false;
    a.beforeOwnEdit((d, w) => {
      if (fired || w !== 'preview' || d !== ed.document || v.session.text.length < done) return;
      fired = true;
      a.beforeOwnEdit(undefined);
      void vscode.commands.executeCommand('type', { text: KEYS[0] });
    });
    server.release();
    await waitFor(() => fired && ed.document.getText().includes(KEYS[0]), 'the first key, right before our edit');
    for (const ch of KEYS.slice(1)) await vscode.commands.executeCommand('type', { text: ch });
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    assert.equal(v.session.isStreaming, false, `the key stopped the stream:\n${ed.document.getText()}`);
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'the edit decided');
    const text = ed.document.getText();
    assert.equal(text.split(KEYS).length, 2, `the keys, once and contiguous:\n${text}`);
    assert.equal(text, [...inserting('  var a3 = 3;', true)(STOPPED, KEYS), ''].join('\n'));
  });

  // Issue 11 (session 10, a full run at load 17: the model's `  try {`, `    var sum = 0;` and its half line stayed in
  // the file as plain code, nothing pending, "Nothing it wrote was complete"): keys typed at the end of the line being
  // written of a one-hunk answer while a save tries to set the diff aside. Each key reaches the editor right before a
  // set-aside attempt, which is refused; following the key stops the stream, nothing is complete, the session is done
  // and the view ended while the save still held it, so the edit withdrawing the model's lines never went out.
  it("keys typed at the end of the line being written of a one-hunk answer, right before each of a save's set-aside attempts: nothing of the model's is left", async () => {
    const original = ['// top', ...WRAP_FUNCTION, '// end'];
    const answer = WRAP_ANSWER;
    const uri = files.fileFor('save-withdrawn');
    const ed = await openFileWith(uri, original.join('\n') + '\n');
    ed.selection = new vscode.Selection(1, 0, 7, 1);
    const hold = WRAP_HOLD;
    const v = await startHeldEdit(a, server, { text: answer, hold, instruction: 'add error handling' });
    await waitFor(() => ed.document.getText().includes('    for (var i = 0; i\n'), 'the line being written shown');
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    const doc = ed.document;
    const line = doc.getText().split('\n').indexOf('    for (var i = 0; i');
    await vscode.window.showTextDocument(doc);
    ed.selection = new vscode.Selection(line, 21, line, 21);
    let keys: string = KEYS;
    a.beforeOwnEdit((d, what) => {
      if (d !== doc || what !== 'setAside' || !keys) return;
      const k = keys[0];
      keys = keys.slice(1);
      void vscode.commands.executeCommand('type', { text: k }); // before our edit: it is refused
    });
    try {
      await doc.save();
      await a.whenShownAgain(doc);
    } finally {
      a.beforeOwnEdit(undefined);
    }
    for (const ch of keys) await vscode.commands.executeCommand('type', { text: ch });
    await waitFor(() => v.isEnded || (!v.session.isStreaming && v.region.planFlush() === null), 'stopped, in sync');
    if (!v.isEnded) await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'the edit decided');
    const text = doc.getText();
    const lines = text.split('\n');
    assert.equal(text.split(KEYS).length, 2, `the keys, once and contiguous:\n${text}`);
    const k = lines.findIndex((l) => l.includes(KEYS));
    assert.equal(lines[k].trim(), KEYS, `the keys alone on their line:\n${text}`);
    assert.equal(
      [...lines.slice(0, k), ...lines.slice(k + 1)].join('\n'),
      original.join('\n') + '\n',
      'the original plus the keys: nothing of the model is left',
    );
  });

  // Issue 11 (CI 36: ` /*kk10*/` typed at the end of `    for (var …` came out as `/*kk10*/`, the space gone): the
  // user's key reaches the editor right before one of the stream's edits that writes THE SAME TEXT at the same place
  // (the demo's next token was " "). The key's change event then looked exactly like our edit (same version, same
  // text): it was taken for the model's, our edit was refused, and the key was later withdrawn as model text with the
  // rest of the half line. Whose change it was is known only when the edit's answer comes back.
  it("a key that reaches the editor right before the stream's edit writing the same text: the key is the user's", async () => {
    const uri = files.fileFor('same-text');
    const ed = await openFileWith(uri, ORIGINAL.join('\n') + '\n');
    ed.selection = new vscode.Selection(1, 0, ORIGINAL.length - 2, ORIGINAL[ORIGINAL.length - 2].length);
    const hold = ANSWER.indexOf(HOLD_AT) + HOLD_AT.length - 1; // `  let a3 =`; the next token is " "
    const held = server.held;
    server.enqueue({ text: ANSWER, tokensPerSecond: 400, holdAfterChars: [hold, hold + 1] });
    const v = await startEdit(a, 'use let');
    await waitFor(
      () => server.held > held && v.session.text.length >= hold && v.region.planFlush() === null,
      'the stream held mid-line',
    );
    const doc = ed.document.getText().split('\n');
    const line = partialLine(doc);
    assert.equal(doc[line], HOLD_AT.trimEnd());
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(line, doc[line].length, line, doc[line].length);
    const keys = ' ' + KEYS;
    let fired = false;
    a.beforeOwnEdit((d, w) => {
      if (fired || w !== 'preview' || d !== ed.document || v.session.text.length < hold + 1) return;
      fired = true;
      a.beforeOwnEdit(undefined);
      void vscode.commands.executeCommand('type', { text: ' ' }); // what the stream's edit is about to write
    });
    server.release();
    await waitFor(() => fired && ed.document.lineAt(line).text === HOLD_AT, 'the space, right before our edit');
    for (const ch of KEYS) await vscode.commands.executeCommand('type', { text: ch });
    await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'the stream stopped, in sync');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'the edit decided');
    const text = ed.document.getText();
    assert.equal(text.split(keys).length, 2, `the keys with their space, once and contiguous:\n${text}`);
    assert.equal(text, [...inserting('  var a3 = 3;', true)(STOPPED, keys), ''].join('\n'));
  });

  /** The cursor at `p` in the held document, before any save runs (see the auto-save cell below). */
  async function placeAt(ed: vscode.TextEditor, p: Place): Promise<(keys: string) => string> {
    const doc = ed.document.getText().split('\n');
    const [line, col] = p.at(doc);
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(line, col, line, col);
    return (keys) => doc[line].slice(0, col) + keys + doc[line].slice(col);
  }

  // Was KNOWN FAILING (round 7): the keys landed on another line (`q9export function f() {`) and the model's finished
  // lines were gone. The mechanism (issue 11, HB round 8): a save's set-aside and its restore replaced the whole
  // preview block, so VS Code put a cursor inside it elsewhere until our selection fix came a round trip later, and
  // that fix put back a cursor snapshot taken before the edit was sent (here: the cursor before the test placed it).
  // Keys typed in that window went to the wrong line; the restore then found the text changed and dropped the diff.
  // Now only the changed lines are replaced (a cursor on a shared line is never moved) and a stale snapshot is not
  // put back. The cursor is placed before auto-save is switched on: a selection set from the extension host while a
  // set-aside is on its way would be applied to the other text (a harness race; a click is in the editor's own text).
  it('typed into old rows below the frontier with auto-save on: the file on disk after Accept All holds every key, no splice', async () => {
    const p = PLACES.find((x) => x.name.startsWith('in an old row far below'))!;
    const { ed, v, uri } = await heldEdit('autosave');
    const line = await placeAt(ed, p);
    // Auto-save from the hold on (a save while the stream runs sets the preview aside and shows it again: host tests
    // in undoTrust/faults; one that loses the race drops the preview, as the fault matrix says).
    await autoSave('afterDelay', 100);
    try {
      for (const ch of KEYS) await vscode.commands.executeCommand('type', { text: ch });
      await decide(v, 'accept');
      server.release();
      const text = ed.document.getText();
      // Where the stream stopped: at the frontier when the keys reached the preview, or (keys typed while a save had
      // it set aside: README, Known limits) a moment later, when it was shown again; never at or past the typed line.
      const typedAt = ORIGINAL.indexOf('  var a6 = 6;');
      const stops = Array.from({ length: typedAt - ABOVE + 1 }, (_, k) =>
        [...MODEL.slice(0, ABOVE + k), ...ORIGINAL.slice(ABOVE + k)].map((l) =>
          l === '  var a6 = 6;' ? line(KEYS) : l,
        ),
      ).map((ls) => [...ls, ''].join('\n'));
      assert.equal(stops[0], expected(p, 'accept', line(KEYS)));
      assert.ok(stops.includes(text), `every key on its line, the model's lines down to where it stopped:\n${text}`);
      // The file on disk once auto-saved (not `isDirty`: the extension host hears "saved" for a save that began before
      // the Accept's edit and takes the document for clean while the next auto-save is still to come).
      const onDisk = async () => Buffer.from(await vscode.workspace.fs.readFile(uri)).toString();
      await waitFor(async () => (await onDisk()) === text, 'auto-saved', 10_000).catch(() => undefined);
      assert.equal(await onDisk(), text, 'the file on disk');
    } finally {
      await autoSave('off');
    }
  });

  /**
   * The same window on demand (no timing): a key typed right after a save's set-aside is sent (it lands while the
   * preview is set aside) and one right after the restore is sent (before our cursor fix could arrive). Every key on
   * the line the cursor is on, and the diff shown again with the keys in it.
   */
  for (const when of ['setAside', 'restore'] as const)
    it(`a key typed right after a save's ${when === 'setAside' ? 'set-aside' : 'restore'} is sent: on the cursor's line, the diff kept`, async () => {
      const p = PLACES.find((x) => x.name.startsWith('in an old row far below'))!;
      const { ed, v } = await heldEdit(`race-${when}`);
      const doc = ed.document;
      const line = await placeAt(ed, p);
      await vscode.commands.executeCommand('type', { text: KEYS[0] }); // stops the stream (typed below the frontier)
      await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'stopped, in sync');
      let keys = KEYS.slice(1);
      a.beforeOwnEdit((d, what) => {
        if (d !== doc || what !== when || !keys) return;
        const k = keys[0];
        keys = keys.slice(1);
        // Right after our edit is sent (same tick): it reaches the editor after our edit, before anything we send next.
        queueMicrotask(() => void vscode.commands.executeCommand('type', { text: k }));
      });
      try {
        for (let i = 0; i < 4 && keys; i++) {
          await doc.save();
          await a.whenShownAgain(doc);
        }
      } finally {
        a.beforeOwnEdit(undefined);
      }
      await waitFor(
        () => doc.getText().includes(line(KEYS)),
        `every key on the cursor's line:\n${doc.getText()}`,
        5000,
      );
      assert.ok(!v.isEnded, 'the diff is still there');
      await decide(v, 'accept');
      assert.equal(doc.getText(), expected(p, 'accept', line(KEYS)));
    });

  // Issue 11 (round 9's rep2, under load: `for (…; i++)  /*kk2*/{`, the keys spliced into the model's line while an
  // auto-save set the streaming diff aside): the cursor at the end of the LINE BEING WRITTEN, a save sets the diff
  // aside (the line being written is not in the document meanwhile) and each key is typed right after the set-aside or
  // the restore is sent. Every key once, contiguous, on a line that is theirs alone or an original or model line with
  // the keys at its end (never the model's text around them), and the rest is a stop of the stream.
  for (const [when, first] of [
    ['setAside', false],
    ['restore', false],
    ['setAside', true],
  ] as const)
    it(`keys typed at the end of the line being written right ${first ? 'before' : 'after'} a save's ${when === 'setAside' ? 'set-aside' : 'restore'}: no splice`, async () => {
      const { ed, v } = await heldEdit(`partial-${when}`);
      const doc = ed.document;
      const held = doc.getText().split('\n');
      const at = partialLine(held);
      await vscode.window.showTextDocument(doc);
      ed.selection = new vscode.Selection(at, held[at].length, at, held[at].length);
      let keys: string = KEYS;
      a.beforeOwnEdit((d, what) => {
        if (d !== doc || what !== when || !keys) return;
        const k = keys[0];
        keys = keys.slice(1);
        // `first`: the key reaches the editor before our edit (sent before it), which is then refused.
        if (first) void vscode.commands.executeCommand('type', { text: k });
        else queueMicrotask(() => void vscode.commands.executeCommand('type', { text: k }));
      });
      try {
        for (let i = 0; i < 6 && keys; i++) {
          await doc.save();
          await a.whenShownAgain(doc);
        }
      } finally {
        a.beforeOwnEdit(undefined);
      }
      assert.equal(keys, '', 'every key was typed');
      await waitFor(() => doc.getText().includes(KEYS), `the keys, contiguous:\n${doc.getText()}`, 5000);
      if (!v.isEnded) {
        server.release();
        await decide(v, 'accept');
      }
      const text = doc.getText();
      assert.equal(text.split(KEYS).length, 2, `the keys, once and contiguous:\n${text}`);
      const lines = text.split('\n');
      const k = lines.findIndex((l) => l.includes(KEYS));
      const base = lines[k].replace(KEYS, '');
      // After the restore the cursor is back at the end of the line being written (carried with the restore's edit):
      // the keys stop the stream there and stay alone. Keys typed while the diff is set aside (the line being written
      // is not in the document then) land where VS Code put the cursor: at the start or end of an original line
      // (README, Known limits), never among the model's text.
      assert.ok(
        base.trim() === '' ||
          (when === 'setAside' && ORIGINAL.includes(base) && (lines[k].endsWith(KEYS) || lines[k].startsWith(KEYS))),
        `the keys alone${when === 'setAside' ? ', or at an end of an original line' : ''}: "${lines[k]}"\n${text}`,
      );
      const rest = [...lines.slice(0, k), ...(base.trim() === '' ? [] : [base]), ...lines.slice(k + 1)].join('\n');
      const stops = Array.from({ length: ORIGINAL.length - ABOVE + 1 }, (_, n) =>
        [...MODEL.slice(0, ABOVE + n), ...ORIGINAL.slice(ABOVE + n), ''].join('\n'),
      );
      assert.ok(
        stops.includes(rest) || rest === [...MODEL, ''].join('\n') || rest === [...ORIGINAL, ''].join('\n'),
        `the rest: the model's lines down to a stop, the original's below:\n${text}`,
      );
    });
});
