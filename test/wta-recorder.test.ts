import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimulation, Network } from '../experiments/wta-sequence/network.js';
import { InputGenerator } from '../experiments/wta-sequence/input-generator.js';
import { Recorder } from '../experiments/wta-sequence/recorder.js';

function setup(seed = 4) {
  const sim = createSimulation({ seed });
  const net = new Network(sim, { gridShape: [2, 2], kMin: 3, kMax: 3, nInputs: 20 });
  const gen = new InputGenerator({ nInputs: 20 }, sim.streams);
  return { sim, net, gen, rec: new Recorder(net) };
}

test('runNetwork records every spike of the run, its inputs, phases and (in tests) rates', () => {
  const { net, gen, rec, sim } = setup();
  const r = rec.runNetwork({ inpgen: gen.forTest(0, 'input/t'), tSim: 2000, train: false });
  assert.is(r.steps, 2000);
  assert.is(sim.step, 2000);
  assert.ok(r.spikes.steps.length > 0 && r.inputs.steps.length > 0);
  assert.ok(r.rates !== null && r.rates.length === 2000 * net.size);
  // Rates are R_max·ρ and ρ sums to 1 per WTA: each WTA's rates sum to 100 Hz at every step.
  for (let t = 0; t < 2000; t += 250) {
    for (let w = 0; w < net.nWta; w++) {
      let sum = 0;
      for (let k = 0; k < net.size; k++) if (net.wtaOf[k] === w) sum += r.rates![t * net.size + k];
      assert.ok(Math.abs(sum - 100) < 1e-9, `WTA ${w} at ${t}: ${sum}`);
    }
  }
  assert.is(r.patternTrace.length, 2000);
  assert.ok(r.phases[0].patternId === -1 && r.phases[0].start === 0, 'runs start with noise');
  assert.is(rec.verifyRateFractions() <= 1e-9, true);
});

test('the recorded set: idList, nodeCollection, readoutSize random sorted ids, else all; ordering by activation time', () => {
  const { net, gen, rec } = setup();
  let r = rec.runNetwork({ inpgen: gen, tSim: 100, train: true, idList: [5, 1, 3], orderNeurons: false });
  assert.equal(Array.from(r.idList), [1, 3, 5]);
  assert.is(r.rates, null, 'training records no rates by default');
  r = rec.runNetwork({ inpgen: gen, tSim: 100, train: true, nodeCollection: net.getNodeCollections()[1] });
  assert.equal(Array.from(r.idList), [3, 4, 5]);
  r = rec.runNetwork({ inpgen: gen, tSim: 100, train: true, readoutSize: 5 });
  assert.is(r.idList.length, 5);
  assert.equal(Array.from(r.idList), Array.from(r.idList).sort((a, b) => a - b));
  assert.is(new Set(r.idList).size, 5);
  r = rec.runNetwork({ inpgen: gen.forTest(1, 'input/t1'), tSim: 1500, train: false });
  assert.equal(Array.from(r.idList).sort((a, b) => a - b), Array.from({ length: net.size }, (_, i) => i), 'all neurons, in activation order');
  assert.equal(Array.from(rec.getOrder(r)), Array.from(r.idList));
  rec.resetRecorders();
  assert.throws(() => rec.getOrder(), /needs a recording with rates/);
});

test('weight snapshots at the start, every dtRec in training and at the end', () => {
  const { gen, rec } = setup();
  const times: number[] = [];
  rec.runNetwork({ inpgen: gen, tSim: 2500, train: true, dtRec: 1000, onWeights: (t) => times.push(t) });
  assert.equal(times, [0, 1000, 2000, 2500]);
});

test('the network draws its grid as the original does, in 2-D and 3-D', async () => {
  const { net } = setup();
  const flat = await net.visualizeCircuits();
  assert.match(flat, /^<svg/);
  assert.match(flat, /Number of neurons of each WTA circuit on the \(2×2\) grid/);
  assert.match(flat, /12 neurons total/);
  assert.match(await net.visualizeCircuits3dBarchart(), /^<svg/);
});

test.run();
