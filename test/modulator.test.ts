/**
 * The modulator (third-factor) path: Network.modulate() schedules a phase-1 event that reaches
 * the synapse models listening on its channel, before the spikes of the same step are
 * delivered. A reward-modulated rule defined here (Δw = eta·reward per transmitted spike,
 * with the latest reward value) makes each of these properties visible in the weights.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Network,
  Phase,
  SimulationError,
  defineSynapseModel,
  registerSynapseModel,
  type ProjectionData,
} from '../engine/index.js';
import { TRAIN_SOURCE, addTrain } from './fixtures/train-source.js';

const DT = 0.1;

/** What happened, in kernel order, across every network of the current test. */
let log: string[] = [];

interface RewardState {
  reward: number;
  calls: number;
}

/** Reward-modulated rule on the 'reward' channel: each transmitted spike adds eta·reward. */
registerSynapseModel(
  defineSynapseModel({
    name: 'modtest_reward',
    doc: 'Test rule: w += eta·(latest reward) at every presynaptic spike.',
    params: { eta: { default: 1, unit: '1', doc: 'Learning rate.' } },
    plastic: true,
    channels: ['reward'],
    init: (): RewardState => ({ reward: 0, calls: 0 }),
    modulate(_proj, st, step, channel, value) {
      st.reward = value;
      st.calls++;
      log.push(`modulate ${channel}=${value} @${step}`);
    },
    transmit(proj, st, row, stamp, offset, mult) {
      const eta = proj.params.eta;
      for (let s = proj.rowPtr[row]; s < proj.rowPtr[row + 1]; s++) proj.weight[s] += eta * st.reward;
      log.push(`spike reward=${st.reward} @${stamp}`);
      proj.deliver(row, stamp, offset, mult);
    },
  }),
);

/** Same rule without a channel list: it hears every channel. */
registerSynapseModel(
  defineSynapseModel({
    name: 'modtest_any',
    doc: 'Test rule that listens to all channels.',
    params: {},
    plastic: true,
    init: (): { seen: string[] } => ({ seen: [] }),
    modulate(_proj, st, step, channel, value) {
      st.seen.push(`${channel}=${value}@${step}`);
    },
    transmit(proj, _st, row, stamp, offset, mult) {
      proj.deliver(row, stamp, offset, mult);
    },
  }),
);

function build(preSteps: number[]): { net: Network; proj: ProjectionData } {
  const net = new Network({ dt: DT });
  const pre = net.create(TRAIN_SOURCE, 1, { train: addTrain(preSteps) });
  const post = net.create('iaf_psc_delta', 1);
  const proj = net.connect(pre, post, 'one_to_one', { model: 'modtest_reward', weight: 0, params: { eta: 2 } });
  return { net, proj };
}

test('a modulator event at step n applies to the spikes delivered in step n, not to earlier ones', () => {
  log = [];
  const { net, proj } = build([10, 19, 20, 30, 40]);
  net.modulate(2.0, 'reward', 1); // step 20
  net.modulate(4.0, 'reward', -0.25); // step 40
  net.simulate(5);
  // Spikes at 10 and 19 see reward 0, at 20 and 30 see 1, at 40 sees −0.25; eta = 2.
  assert.is(proj.weight[0], 2 * (0 + 0 + 1 + 1 - 0.25));
  assert.equal(log, [
    'spike reward=0 @10',
    'spike reward=0 @19',
    'modulate reward=1 @20',
    'spike reward=1 @20',
    'spike reward=1 @30',
    'modulate reward=-0.25 @40',
    'spike reward=-0.25 @40',
  ]);
});

test('events on other channels never reach a model that lists its channels; a model without a list hears all', () => {
  log = [];
  const { net, proj } = build([30]);
  const post = net.populations[1];
  const any = net.connect(net.populations[0], post, 'one_to_one', { model: 'modtest_any', weight: 0 });
  const stat = net.connect(net.populations[0], post, 'one_to_one', { weight: 0.5 });
  net.modulate(1.0, 'dopamine', 5);
  net.modulate(2.0, 'reward', 1);
  net.modulate(2.5, 'dopamine', 7);
  net.simulate(4);
  const st = proj.state as RewardState;
  assert.is(st.calls, 1, 'only the reward event was delivered to the reward rule');
  assert.is(st.reward, 1);
  assert.is(proj.weight[0], 2, 'the spike at step 30 saw reward 1, not dopamine 7');
  assert.equal((any.state as { seen: string[] }).seen, ['dopamine=5@10', 'reward=1@20', 'dopamine=7@25']);
  assert.is(stat.weight[0], 0.5, 'static synapses are untouched');
});

test('order at equal times: protocol, then modulators in call order, then spikes, then updates, recorders and callbacks', () => {
  log = [];
  const { net, proj } = build([20]);
  net.at(2.0, () => log.push('callback'));
  net.at(2.0, () => log.push('protocol'), Phase.Protocol);
  net.modulate(2.0, 'reward', 1);
  net.modulate(2.0, 'reward', 3);
  net.addRecorder({ record: (k) => void (k === 20 && log.push('record')), close: async () => {} });
  net.simulate(3);
  assert.equal(log, ['protocol', 'modulate reward=1 @20', 'modulate reward=3 @20', 'spike reward=3 @20', 'record', 'callback']);
  assert.is(proj.weight[0], 6, 'the spike saw the last modulator value of its step');
});

test('a modulator at a step whose spikes were already delivered is refused with a clear error; later ones work', () => {
  log = [];
  const { net, proj } = build([50, 60]);
  net.simulate(5); // delivers the spike stamped 50 (5 ms)
  for (const t of [4.9, 5.0]) {
    assert.throws(
      () => net.modulate(t, 'reward', 1),
      (e: unknown) => e instanceof SimulationError && /already been delivered/.test(e.message),
      `modulate at ${t} ms`,
    );
  }
  net.modulate(5.1, 'reward', 1);
  net.simulate(2);
  assert.is(proj.weight[0], 2, 'only the spike at 6 ms saw the reward');
  assert.throws(() => net.modulate(7.05, 'reward', 1), /not a multiple of dt/);
  assert.throws(() => net.modulate(8, 'reward', NaN), /must be finite/);
});

test('resuming: modulators scheduled across simulate() calls give the same weights as one call', () => {
  const steps = [5, 12, 20, 33, 41, 55, 70, 71, 90];
  const run = (split: boolean): number => {
    const { net, proj } = build(steps);
    net.modulate(1.2, 'reward', 0.5);
    net.modulate(4.1, 'reward', -1);
    if (split) {
      net.simulate(4.1);
      net.modulate(7.0, 'reward', 2);
      net.simulate(5.9);
    } else {
      net.modulate(7.0, 'reward', 2);
      net.simulate(10);
    }
    return proj.weight[0];
  };
  log = [];
  const one = run(false);
  const two = run(true);
  // Rewards seen by the spikes: 5: 0, 12: 0.5, 20: 0.5, 33: 0.5, 41: −1, 55: −1, 70, 71, 90: 2.
  assert.is(one, 2 * (0 + 0.5 * 3 - 1 * 2 + 2 * 3));
  assert.is(two, one);
});

test.run();
