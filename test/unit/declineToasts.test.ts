/**
 * Decline toasts lead with the reason (session 9 newcomers: a notification shows one line, about 80 characters, and
 * theirs read "The model declined to make this edit: "The demo model can't do this — set an API…", never the reason).
 * Every decline text of the demo model, as the toast shows it ("Spark Edit: " + the edit session's message), has a
 * first sentence of at most 90 characters: the reason.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { declinedMessage } from '../../src/core/session/editSession';
import { REFACTORS } from '../../src/core/refactors';
import { DEMO_CANT, demoEdit } from '../../src/server/demo';

const REPO = path.resolve(__dirname, '../../..');
const WS = path.join(REPO, 'demo', 'workspace');
const firstSentence = (t: string) => /^.*?[.!?](?=\s|$)/s.exec(t)?.[0] ?? t;
const toast = (cannot: string) => `Spark Edit: ${declinedMessage(cannot)}`;

/** The string literals given to `cannot(…)` / `cannot:` in the demo's sources, `${…}` as a 12-character name. */
function sourceDeclines(): Array<{ where: string; text: string }> {
  const dir = path.join(REPO, 'src', 'server');
  const files = ['demo.ts', ...fs.readdirSync(path.join(dir, 'demo')).map((f) => `demo/${f}`)];
  const out: Array<{ where: string; text: string }> = [];
  for (const f of files) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/cannot(?:\(|:)\s*(?:[^'"`()]*\?\s*)?(['"`])((?:\\.|(?!\1)[^\\])*)\1/g))
      out.push({
        where: `${f}:${src.slice(0, m.index).split('\n').length}`,
        text: m[2].replace(/\$\{[^}]*\}+/g, 'aName_xyz123'),
      });
    // A chain helper's reasons (asyncAwait.ts `callback`): `return '…'` strings that become cannot(link).
    if (f === 'demo/asyncAwait.ts')
      for (const m of src.matchAll(/return (['`])((?:(?!\1).)*The demo model(?:(?!\1).)*)\1;/g))
        out.push({
          where: `${f}:${src.slice(0, m.index).split('\n').length}`,
          text: m[2].replace(/\$\{[^}]*\}/g, 'aName_xyz123'),
        });
  }
  return out;
}

describe('decline toasts lead with the reason (session 9)', () => {
  it("every decline text in the demo's sources: the toast's first sentence is at most 90 characters", () => {
    const all = sourceDeclines();
    assert.ok(all.length >= 40, `${all.length} decline texts found`);
    const long = all
      .map((d) => ({ ...d, first: firstSentence(toast(`${d.text} ${DEMO_CANT}`)) }))
      .filter((d) => d.first.length > 90)
      .map((d) => `${d.where} (${d.first.length}): ${d.first}`);
    assert.deepEqual(long, []);
  });

  it('every decline the demo gives on the demo files (each refactor and instruction × runs of 1–8 lines): the same', () => {
    const instructions = [
      ...REFACTORS.map((r) => r.instruction),
      'add doc comments',
      'use const',
      'rename total to sum',
      'rename order to x',
      'add error handling',
      'convert to async/await',
      'simplify',
      'make every string literal upper case',
      'translate to French',
    ];
    const seen = new Map<string, string>();
    for (const f of fs.readdirSync(WS).filter((x) => /\.(ts|py)$/.test(x) && !x.endsWith('.d.ts'))) {
      const lines = fs.readFileSync(path.join(WS, f), 'utf8').split('\n');
      for (let a = 0; a < lines.length; a++)
        for (let b = a; b < Math.min(lines.length, a + 8); b++)
          for (const instruction of instructions) {
            const r = demoEdit({ instruction, code: lines.slice(a, b + 1).join('\n'), path: f });
            if ('cannot' in r && !seen.has(r.cannot))
              seen.set(r.cannot, `${instruction.slice(0, 30)} on ${f}:${a + 1}-${b + 1}`);
          }
    }
    assert.ok(seen.size >= 10, `${seen.size} different declines`);
    const long = [...seen]
      .map(([text, where]) => ({ where, first: firstSentence(toast(text)) }))
      .filter((d) => d.first.length > 90)
      .map((d) => `${d.where} (${d.first.length}): ${d.first}`);
    assert.deepEqual(long, []);
    // The point first: never the generic "can't do this" ahead of the reason.
    for (const text of seen.keys()) assert.ok(!text.startsWith(DEMO_CANT), text);
  });

  it("the edit session's decline message: the model's reason first, then that nothing changed", () => {
    assert.equal(
      declinedMessage('There is no function here to document.'),
      'There is no function here to document. Nothing was changed: the model declined this edit.',
    );
    assert.equal(
      declinedMessage("I can't help with that"),
      "I can't help with that. Nothing was changed: the model declined this edit.",
    );
    assert.equal(declinedMessage(''), 'The model declined this edit. Nothing was changed.');
  });
});
