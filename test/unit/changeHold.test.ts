import assert from 'node:assert/strict';
import { ANSWER_WAIT_MS, ChangeHold, changesHanded, type ChangeReceipt } from '../../src/core/util/changeHold';

/**
 * Issue 11 (CI 36): a change that looks exactly like one of our edits in flight is handed on only once the editor
 * answered that edit (applied: ours; refused: the user's key, typed first), and the changes after it wait behind it.
 */
interface Doc {
  name: string;
}
interface Ev {
  document: Doc;
  n: number;
}
class Edit {
  answered?: boolean;
  private waiters: Array<() => void> = [];
  onAnswer(f: () => void) {
    if (this.answered === undefined) this.waiters.push(f);
    else f();
  }
  answer(ok: boolean) {
    this.answered = ok;
    for (const f of this.waiters.splice(0)) f();
  }
}
/** A preview whose edit in flight is `inFlight`, which event numbers in `looksLike` look like. */
class View {
  inFlight: Edit | null = null;
  looksLike = new Set<number>();
  receive(e: Ev): ChangeReceipt {
    return { version: e.n, match: this.inFlight && this.looksLike.has(e.n) ? this.inFlight : null };
  }
}

function setup() {
  const seen: string[] = [];
  const logs: string[] = [];
  const hold = new ChangeHold<Doc, Ev, View>(
    (e, receipts) => {
      for (const [, r] of receipts) {
        const m = r.match as Edit | null;
        seen.push(`${e.document.name}${e.n}:${m ? (m.answered === false ? 'user' : 'ours') : 'user'}`);
      }
    },
    (m) => logs.push(m),
  );
  return { hold, seen, logs };
}

describe('ChangeHold: a change like our edit in flight waits for its answer (issue 11)', () => {
  it('a change like no edit in flight is handed on at once', () => {
    const { hold, seen } = setup();
    const doc = { name: 'a' };
    hold.offer({ document: doc, n: 1 }, [new View()]);
    assert.deepEqual(seen, ['a1:user']);
    assert.equal(changesHanded(doc), undefined);
  });

  it('refused: the change was the user key typed first; the changes after it follow in order', async () => {
    const { hold, seen } = setup();
    const doc = { name: 'a' };
    const v = new View();
    v.inFlight = new Edit();
    v.looksLike.add(1);
    hold.offer({ document: doc, n: 1 }, [v]);
    hold.offer({ document: doc, n: 2 }, [v]);
    assert.deepEqual(seen, [], 'held until the answer');
    const handed = changesHanded(doc);
    assert.ok(handed, 'a preview planning its next edit waits');
    hold.offer({ document: { name: 'b' }, n: 1 }, [new View()]); // another document is not held
    assert.deepEqual(seen, ['b1:user']);
    v.inFlight.answer(false);
    assert.deepEqual(seen, ['b1:user', 'a1:user', 'a2:user']);
    await handed;
    assert.equal(changesHanded(doc), undefined);
  });

  it('applied: the change was our edit', () => {
    const { hold, seen } = setup();
    const doc = { name: 'a' };
    const v = new View();
    v.inFlight = new Edit();
    v.looksLike.add(1);
    hold.offer({ document: doc, n: 1 }, [v]);
    v.inFlight.answer(true);
    hold.offer({ document: doc, n: 2 }, [v]);
    assert.deepEqual(seen, ['a1:ours', 'a2:user']);
  });

  it('a held change that waits for a second edit keeps the ones after it held until that answer too', () => {
    const { hold, seen } = setup();
    const doc = { name: 'a' };
    const v = new View();
    const w = new View();
    v.inFlight = new Edit();
    v.looksLike.add(1);
    w.inFlight = new Edit();
    w.looksLike.add(2);
    hold.offer({ document: doc, n: 1 }, [v]);
    hold.offer({ document: doc, n: 2 }, [w]);
    hold.offer({ document: doc, n: 3 }, [v]);
    v.inFlight.answer(true);
    assert.deepEqual(seen, ['a1:ours']);
    w.inFlight.answer(false);
    assert.deepEqual(seen, ['a1:ours', 'a2:user', 'a3:user']);
  });

  it(`an answer that never comes: after ${ANSWER_WAIT_MS} ms the change is taken as that edit, and it is logged`, async () => {
    const { hold, seen, logs } = setup();
    const doc = { name: 'a' };
    const v = new View();
    v.inFlight = new Edit();
    v.looksLike.add(1);
    hold.offer({ document: doc, n: 1 }, [v]);
    await changesHanded(doc);
    assert.deepEqual(seen, ['a1:ours']);
    assert.equal(logs.length, 1);
  }).timeout(ANSWER_WAIT_MS + 2000);

  it('a handler that throws does not leave the document held', () => {
    const logs: string[] = [];
    let n = 0;
    const hold = new ChangeHold<Doc, Ev, View>(
      () => {
        if (n++ === 0) throw new Error('boom');
      },
      (m) => logs.push(m),
    );
    const doc = { name: 'a' };
    const v = new View();
    v.inFlight = new Edit();
    v.looksLike.add(1);
    hold.offer({ document: doc, n: 1 }, [v]);
    hold.offer({ document: doc, n: 2 }, [v]);
    v.inFlight.answer(true);
    assert.equal(n, 2);
    assert.equal(changesHanded(doc), undefined);
    assert.match(logs[0], /boom/);
  });
});
