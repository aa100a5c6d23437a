/**
 * CLI adapter of stsp-working-memory: `run`, `train`, `analyze` and `simulate` with the flags
 * of options.ts, progress on stderr (a bar with accuracy, loss, s/it and ETA in a terminal;
 * one line per 100 iterations otherwise; nothing with --quiet), a short report on stdout.
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { addCommonOptions } from '../../cli/experiment-command.js';
import { addSchemaOptions, parseSchemaOptions } from '../../cli/options.js';
import { analyzeOptions, simulateOptions, trainOptions } from './options.js';
import { analyzeCommand, simulateCommand, trainCommand, type StspHooks } from './run.js';

const NAME = 'stsp-working-memory';
const DESCRIPTION = 'Masse et al. 2019: a 100-unit rate RNN with short-term synaptic plasticity trained on delayed-match tasks; is the sample held in activity or in synaptic efficacy?';

const fmt = (x: unknown, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const first = (x: unknown) => (Array.isArray(x) ? x[0] : x);

/** Progress reporting for training and analyses. */
function progressHooks(quiet: boolean, task: string, every = 100): StspHooks & { stop(): void } {
  if (quiet) return { stop() {} };
  if (process.stderr.isTTY) {
    let bar: cliProgress.SingleBar | null = null;
    return {
      iteration(row, done, total, spi) {
        if (bar === null) {
          bar = new cliProgress.SingleBar(
            { stream: process.stderr, format: `${task} [{bar}] {value}/{total} it | acc {acc} | loss {loss} | {spi} s/it | eta {eta_formatted}`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { acc: 'n/a', loss: 'n/a', spi: 'n/a' });
        }
        bar.update(done, { acc: fmt(row.accuracy), loss: fmt(row.loss, 4), spi: fmt(spi, 2) });
      },
      analysis(label) {
        bar?.stop();
        bar = null;
        process.stderr.write(`${task} analysis: ${label}\n`);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  return {
    iteration(row, done, total, spi) {
      if (done % every === 0 || done === total) {
        process.stderr.write(`${task} Iter. ${row.iteration + 1} | Accuracy ${fmt(row.accuracy, 4)} | Perf loss ${fmt(row.perf_loss, 4)} | Spike loss ${fmt(row.spike_loss, 4)} | Mean activity ${fmt(row.mean_h, 4)} | ${fmt(spi, 2)} s/it\n`);
      }
    },
    analysis(label) {
      process.stderr.write(`${task} analysis: ${label}\n`);
    },
    stop() {},
  };
}

function commonOf(cmd: Command): { out: string; seed: number; quiet: boolean; config?: string; outGiven: boolean } {
  const o = cmd.opts() as { out: string; seed: number; quiet: boolean; config?: string };
  return { ...o, outGiven: cmd.getOptionValueSource('out') === 'cli' };
}

function addTrain(cmd: Command): Command {
  addCommonOptions(cmd, NAME, 0);
  addSchemaOptions(cmd, trainOptions);
  cmd.action(async () => {
    const c = commonOf(cmd);
    const o = parseSchemaOptions(cmd, trainOptions, c.config);
    const hooks = progressHooks(c.quiet, o.task);
    let r;
    try {
      r = await trainCommand({ ...o, out: resolve(c.out), seed: c.seed }, hooks);
    } finally {
      hooks.stop();
    }
    const s = r.summary;
    process.stdout.write(`${NAME} ${r.par.trial_type}: ${s.iterations} iterations at batch ${s.batch_size} (${fmt(s.iteration_wall_time_s, 2)} s/it), final training accuracy ${fmt(s.final_training_accuracy)}\n`);
    if (s.accuracy !== undefined) {
      process.stdout.write(`fresh trials: accuracy ${fmt(s.accuracy)}; late-delay decoding neuronal ${fmt(first(s.decoding_neuronal_late_delay))}, synaptic ${fmt(first(s.decoding_synaptic_late_delay))}; test-onset shuffle: none ${fmt(first(s.shuffle_standard_200_unshuffled))}, neural ${fmt(first(s.shuffle_standard_200_neural))}, synaptic ${fmt(first(s.shuffle_standard_200_synaptic))}\n`);
    }
    process.stdout.write(`wrote ${resolve(c.out)}/: summary.json, ${r.files.join(', ')}\n`);
  });
  return cmd;
}

/**
 * Registers `run stsp-working-memory` under `run` and `train`, `analyze`, `simulate`
 * stsp-working-memory under the program (creating those command groups if needed).
 */
export function register(run: Command, program: Command): void {
  addTrain(run.command(NAME).description(`${DESCRIPTION} (train, then the quick analysis)`));
  const group = (name: string, description: string) => program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
  addTrain(group('train', 'train a model of an experiment that has one').command(NAME).description(DESCRIPTION));

  const an = group('analyze', 'rerun the analyses of an experiment on a saved model').command(NAME).description('analyses of a saved stsp-working-memory model (files next to the model unless --out is given)');
  addCommonOptions(an, NAME, 0);
  addSchemaOptions(an, analyzeOptions);
  an.action(async () => {
    const c = commonOf(an);
    const o = parseSchemaOptions(an, analyzeOptions, c.config);
    const hooks = progressHooks(c.quiet, NAME);
    const r = await analyzeCommand({ ...o, out: c.outGiven ? c.out : undefined, seed: c.seed }, hooks);
    const s = r.summary;
    process.stdout.write(`${NAME}: accuracy ${fmt(s.accuracy)}; late-delay decoding neuronal ${fmt(first(s.decoding_neuronal_late_delay))}, synaptic ${fmt(first(s.decoding_synaptic_late_delay))}\n`);
    process.stdout.write(`wrote ${r.dir}/: ${r.files.join(', ')} (summary.json one folder up)\n`);
  });

  const sim = group('simulate', 'simulate a saved model of an experiment').command(NAME).description('state traces of a saved stsp-working-memory model, or the STP protocols (--stp-traces)');
  addCommonOptions(sim, NAME, 0);
  addSchemaOptions(sim, simulateOptions);
  sim.action(() => {
    const c = commonOf(sim);
    const o = parseSchemaOptions(sim, simulateOptions, c.config);
    const files = simulateCommand({ ...o, out: resolve(c.out), seed: c.seed });
    process.stdout.write(`wrote ${resolve(c.out)}/: ${files.join(', ')}\n`);
  });
}
