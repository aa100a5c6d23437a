/**
 * Training speed of the wta-sequence network (spec §8 item 4): a 5×4 grid with 15 WTAs of 6
 * and 5 of 7 neurons (125 neurons), 100 input channels, all 380 ordered WTA pairs connected,
 * trained for 100 s of biological time with the experiment's input generator. Prints one JSON
 * line; the first milestone is at most 10 s of wall time on a 2-core machine.
 *
 *   npm run bench:wta-sequence [-- --t-train 100]
 */
import { createSimulation, drawWtaPairs, Network } from '../experiments/wta-sequence/network.js';
import { InputGenerator } from '../experiments/wta-sequence/input-generator.js';

const args = process.argv.slice(2);
const at = args.indexOf('--t-train');
const tTrainS = at >= 0 ? Number(args[at + 1]) : 100;
const seed = 13521;

const sim = createSimulation({ seed });
const gridShape: [number, number] = [5, 4];
const wtaSizes = [...Array(15).fill(6), ...Array(5).fill(7)];
const pairs = drawWtaPairs(sim.streams.stream('structure'), gridShape, 0.088, 1000, true);
const b0 = performance.now();
const net = Network.fromStructure(sim, { gridShape, wtaSizes, pairs, nInputs: 100 });
net.setTraining(true);
net.setInput(new InputGenerator({ nInputs: 100 }, sim.streams));
const buildS = (performance.now() - b0) / 1000;
const synapses = net.inputProjection.size + (net.recurrentProjection?.size ?? 0);
const c0 = process.cpuUsage();
const w0 = performance.now();
sim.simulate(tTrainS * 1000);
const wall = (performance.now() - w0) / 1000;
const cpu = process.cpuUsage(c0);
const result = {
  name: 'wta_sequence_train',
  neurons: net.size,
  synapses,
  bio_s: tTrainS,
  build_s: buildS,
  train_wall_s: wall,
  train_cpu_s: (cpu.user + cpu.system) / 1e6,
  steps_per_s: (tTrainS * 1000) / wall,
  spikes: sim.stats.spikes,
  target_wall_s: 10,
  target_ok: wall <= 10 * (tTrainS / 100),
};
process.stdout.write(JSON.stringify(result) + '\n');
