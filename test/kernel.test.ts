import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kernel, Phase } from '../engine/kernel.js';

test('entries pop in (step, offset, phase, sequence) order; per-step work precedes queued entries of its phase', () => {
  const log: string[] = [];
  const k = new Kernel({ emit: () => {}, update: (s) => log.push(`update@${s}`), record: (s) => log.push(`record@${s}`) });
  const h = k.addHandler({ handle: (step, offset, a) => log.push(`e${a}@${step}+${offset}`) });
  // Inserted deliberately out of order; equal keys must keep insertion order.
  k.schedule(1, 0, Phase.Callback, h, 1, 0, 0);
  k.schedule(1, 0.05, Phase.Protocol, h, 2, 0, 0);
  k.schedule(1, 0, Phase.Spike, h, 3, 0, 0);
  k.schedule(1, 0, Phase.Spike, h, 4, 0, 0);
  k.schedule(1, 0, Phase.Protocol, h, 5, 0, 0);
  k.schedule(1, 0, Phase.Modulator, h, 6, 0, 0);
  k.schedule(0, 0, Phase.Record, h, 7, 0, 0);
  k.schedule(1, 0, Phase.Update, h, 8, 0, 0);
  k.run(2);
  assert.equal(log, [
    'update@0', 'record@0', 'e7@0+0',
    'e5@1+0', 'e6@1+0', 'e3@1+0', 'e4@1+0', 'update@1', 'e8@1+0', 'record@1', 'e1@1+0', 'e2@1+0.05',
  ]);
});

test('run(end) also delivers entries of the end step below the update phase; resuming continues', () => {
  const log: string[] = [];
  const k = new Kernel({ emit: () => {}, update: (s) => log.push(`u${s}`), record: () => {} });
  const h = k.addHandler({ handle: (step, _o, a) => log.push(`e${a}@${step}`) });
  k.schedule(2, 0, Phase.Spike, h, 1, 0, 0);
  k.schedule(2, 0, Phase.Callback, h, 2, 0, 0);
  k.run(2);
  assert.equal(log, ['u0', 'u1', 'e1@2']);
  k.run(3);
  assert.equal(log, ['u0', 'u1', 'e1@2', 'u2', 'e2@2']);
});

test('scheduling into the past is refused', () => {
  const k = new Kernel({ emit: () => {}, update: () => {}, record: () => {} });
  const h = k.addHandler({ handle: () => {} });
  k.run(5);
  assert.throws(() => k.schedule(4, 0, Phase.Spike, h, 0, 0, 0), /already at step 5/);
  assert.throws(() => k.schedule(5, 0, Phase.Protocol, h, 0, 0, 0), /already at step 5/);
});

test('many entries: the pool grows and the order stays total', () => {
  const out: number[] = [];
  const k = new Kernel({ emit: () => {}, update: () => {}, record: () => {} });
  const h = k.addHandler({ handle: (_s, _o, a) => out.push(a) });
  for (let i = 0; i < 5000; i++) k.schedule(1 + ((i * 7919) % 13), 0, Phase.Spike, h, i, 0, 0);
  k.run(20);
  const expected = Array.from({ length: 5000 }, (_, i) => i).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13) || a - b);
  assert.equal(out, expected);
});

test.run();
