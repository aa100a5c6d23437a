import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network } from '../engine/index.js';
import { uniformWeight } from '../engine/projection.js';

// static_synapse fans out with addRowUniform when every weight of a projection is equal; it
// must add exactly what addRow adds, for one delay and for mixed delays, for both signs.

function compareRows(weight: number, delay: number | 'mixed'): void {
  const net = new Network({ dt: 0.1, seed: 3 });
  const a = net.create('iaf_psc_exp', 50, {}, { name: 'a' });
  const b = net.create('iaf_psc_exp', 37, {}, { name: 'b' });
  const proj = net.connect(a, b, { rule: 'pairwise_bernoulli', p: 0.3 }, { weight, delay: delay === 'mixed' ? { distribution: 'uniform', low: 0.1, high: 0.4 } : delay });
  net.simulate(0.1);
  assert.is(uniformWeight(proj), weight);
  assert.is(proj.minDelay === proj.maxDelay, delay !== 'mixed');
  for (let row = 0; row < a.n; row++) {
    for (const mult of [1, 3]) {
      for (const stamp of [1, 5, 17]) {
        const base = proj.slotBase(stamp, 0);
        proj.bufPos.fill(0);
        proj.bufNeg.fill(0);
        proj.addRow(row, base, mult);
        const pos = Float64Array.from(proj.bufPos);
        const neg = Float64Array.from(proj.bufNeg);
        proj.bufPos.fill(0);
        proj.bufNeg.fill(0);
        proj.addRowUniform(row, base, weight * mult);
        assert.equal(Array.from(proj.bufPos), Array.from(pos), `row ${row} mult ${mult} stamp ${stamp} (w >= 0 buffer)`);
        assert.equal(Array.from(proj.bufNeg), Array.from(neg), `row ${row} mult ${mult} stamp ${stamp} (w < 0 buffer)`);
      }
    }
  }
}

test('addRowUniform adds what addRow adds (one delay)', () => {
  compareRows(2.5, 0.1);
  compareRows(-7.25, 0.3);
});

test('addRowUniform adds what addRow adds (mixed delays)', () => {
  compareRows(1.5, 'mixed');
  compareRows(-3, 'mixed');
});

test('uniformWeight is NaN when weights differ, and tells -0 from 0', () => {
  const net = new Network({ dt: 0.1, seed: 3 });
  const a = net.create('iaf_psc_exp', 5, {}, { name: 'a' });
  assert.ok(Number.isNaN(uniformWeight(net.connect(a, a, 'all_to_all', { weight: [1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }))));
  assert.ok(Number.isNaN(uniformWeight(net.connect(a, a, 'one_to_one', { weight: [0, -0, 0, 0, 0] }))));
  assert.is(uniformWeight(net.connect(a, a, 'one_to_one', { weight: 4 })), 4);
});

test.run();
