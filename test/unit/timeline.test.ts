import assert from 'node:assert/strict';
import { TIMELINE_STEPS, TimelineStep, formatTimeline, parseTimeline } from '../../src/core/util/timeline';

describe('edit timeline (the log line the bench reads)', () => {
  it('round-trips every step through the log line, with a log prefix in front', () => {
    const command = 1763884234567.125;
    const steps = Object.keys(TIMELINE_STEPS) as TimelineStep[];
    const marks = Object.fromEntries(steps.map((k, i) => [k, command + 1.5 + i * 10.25])) as Record<
      TimelineStep,
      number
    >;
    const line = `2026-11-23 08:00:00.000 [info] ${formatTimeline({ id: 12, command, marks })}`;
    const t = parseTimeline(line);
    assert.ok(t);
    assert.equal(t.id, 12);
    assert.equal(t.command, command);
    for (const k of steps) assert.ok(Math.abs(t.marks[k]! - marks[k]) < 0.06, `${k}: ${t.marks[k]} vs ${marks[k]}`);
  });
  it('leaves out steps that did not happen, and does not confuse "first edit applied" with "last edit applied"', () => {
    const line = formatTimeline({ id: 3, command: 1000, marks: { sent: 1001, lastEditApplied: 1050 } });
    assert.match(line, /request sent 1\.0, last edit applied 50\.0$/);
    const t = parseTimeline(line)!;
    assert.deepEqual(Object.keys(t.marks).sort(), ['lastEditApplied', 'sent']);
    assert.equal(formatTimeline({ id: 4, command: 5, marks: {} }).endsWith('nothing happened'), true);
    assert.equal(parseTimeline('edit 4 ended: done; first byte 2.94 ms'), null);
  });
});
