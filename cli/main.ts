/**
 * The spikeflow command line. With no arguments it runs the CUBA demo.
 *
 *   spikeflow run <experiment> [options]   run an experiment (see `spikeflow run --help`)
 *   spikeflow train|analyze|simulate <experiment> [options]
 *                                          train a model, analyse or simulate a saved one
 *   spikeflow bench [options]              run the benchmarks (see `spikeflow bench --help`)
 *   spikeflow models [name]                list models and their parameters
 */
import { Command } from 'commander';
import '../engine/index.js';
import { SimulationError } from '../engine/errors.js';
import { getNeuronModel, getSynapseModel, neuronModelNames, synapseModelNames } from '../engine/registry.js';
import { register as registerCuba } from '../experiments/cuba/cli.js';
import { register as registerWta } from '../experiments/wta-sequence/cli.js';
import { register as registerDms } from '../experiments/striatum-dms/cli.js';
import { register as registerConsolidation } from '../experiments/consolidation/cli.js';
import { register as registerNormative } from '../experiments/normative-plasticity/cli.js';
import { register as registerStsp } from '../experiments/stsp-working-memory/cli.js';
import { ENGINE_VERSION } from '../engine/version.js';

function buildProgram(): Command {
  const program = new Command('spikeflow').description('Event-driven spiking network simulator with NEST semantics').version(ENGINE_VERSION);
  program.showHelpAfterError();
  const run = program.command('run').description('run an experiment; results go to --out (default out/<experiment>)');
  registerCuba(run);
  registerWta(run);
  registerDms(run);
  registerConsolidation(run);
  registerNormative(run);
  registerStsp(run, program);

  program
    .command('bench')
    .description('run the benchmarks (COBA, CUBA, Brette 4, Brunel, plastic Brunel)')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { main } = await import('../bench/run.js');
      await main(args);
    });

  program
    .command('models')
    .description('list neuron and synapse models, or the parameters of one')
    .argument('[name]')
    .action((name?: string) => {
      if (!name) {
        process.stdout.write(`neuron models: ${neuronModelNames().join(', ')}\nsynapse models: ${synapseModelNames().join(', ')}\n`);
        return;
      }
      const m = neuronModelNames().includes(name) ? getNeuronModel(name) : getSynapseModel(name);
      process.stdout.write(`${m.name}: ${m.doc}\n`);
      for (const [k, p] of Object.entries(m.params)) process.stdout.write(`  ${k} = ${p.default} ${p.unit}  ${p.doc}\n`);
    });
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const args = argv.slice(2);
  // No command (no arguments, or only options such as --quiet): the CUBA demo.
  const noCommand = args.length === 0 || (args[0].startsWith('-') && !['-h', '--help', '-V', '--version'].includes(args[0]));
  await program.parseAsync(noCommand ? ['run', 'cuba', ...args] : args, { from: 'user' });
}

// Output piped into a program that stops reading (`spikeflow models | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv).catch((e: unknown) => {
  const err = e as Error;
  process.stderr.write(`spikeflow: ${err instanceof SimulationError ? err.message : err.message ?? String(e)}\n`);
  if (!(err instanceof SimulationError) && process.env.SPIKEFLOW_DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
