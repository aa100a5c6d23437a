/**
 * The event kernel: one heap-js priority queue over integer time steps with a total order.
 *
 * Key of every queued entry: (step, offset, phase, sequence).
 * - step: whole number of dt since the start of the run;
 * - offset: precise-time offset in [0, dt) ms (0 for everything on the grid);
 * - phase: fixed rank, see {@link Phase};
 * - sequence: insertion counter, so equal keys pop in insertion order (heap-js is not stable).
 *
 * Entries live in a structure-of-arrays pool of recycled slots; the heap holds slot numbers,
 * so queuing a spike allocates nothing. Event-driven populations (phase 2), updates and clock
 * ticks of populations (phase 3) and recorder sampling (phase 4) happen every step without
 * queue entries: within a step each runs after all on-grid entries of lower phase and before
 * the queued entries of its own phase, populations and recorders in creation order.
 */
import { Heap } from 'heap-js';

/** Phase ranks within one (step, offset). Lower runs first. */
export const Phase = {
  /** Protocol and stimulus changes. */
  Protocol: 0,
  /** Modulator (third-factor) events; they apply to plasticity computed in the same step. */
  Modulator: 1,
  /** Spike emission and delivery. */
  Spike: 2,
  /** Neuron updates and clock ticks. */
  Update: 3,
  /** Recorders. */
  Record: 4,
  /** User callbacks. */
  Callback: 5,
} as const;
export type PhaseRank = (typeof Phase)[keyof typeof Phase];

/** Receives queued entries of one kind. */
export interface EventHandler {
  /** Called when an entry pops; a, b and value are the payload given at scheduling. */
  handle(step: number, offset: number, a: number, b: number, value: number): void;
}

/** The per-step work done without queue entries (populations, recorders). */
export interface StepWork {
  /**
   * Phase 2 of `step`, before the queued spike entries of (step, 0): event-driven populations
   * process the inputs that arrive during the step and emit their (off-grid) spikes.
   */
  emit(step: number): void;
  /** Phase 3: advance every population due at `step`. */
  update(step: number): void;
  /** Phase 4: let recorders sample at `step`. */
  record(step: number): void;
}

const INITIAL_CAPACITY = 1024;

/** The event queue plus the step loop. */
export class Kernel {
  /** Current step: everything before it has run. */
  step = 0;
  /** Offset and phase of the entry or work being processed now (the step is `step`). */
  private curOffset = 0;
  private curPhase = 0;

  private capacity = INITIAL_CAPACITY;
  private evStep = new Float64Array(INITIAL_CAPACITY);
  private evOffset = new Float64Array(INITIAL_CAPACITY);
  private evPhase = new Uint8Array(INITIAL_CAPACITY);
  private evSeq = new Float64Array(INITIAL_CAPACITY);
  private evHandler = new Uint16Array(INITIAL_CAPACITY);
  private evA = new Int32Array(INITIAL_CAPACITY);
  private evB = new Int32Array(INITIAL_CAPACITY);
  private evValue = new Float64Array(INITIAL_CAPACITY);
  private free: number[] = [];
  private used = 0;
  private sequence = 0;
  private readonly heap: Heap<number>;
  private readonly handlers: EventHandler[] = [];

  constructor(private readonly work: StepWork) {
    const s = () => this;
    this.heap = new Heap<number>((x, y) => {
      const k = s();
      const ds = k.evStep[x] - k.evStep[y];
      if (ds !== 0) return ds;
      const dof = k.evOffset[x] - k.evOffset[y];
      if (dof !== 0) return dof;
      const dp = k.evPhase[x] - k.evPhase[y];
      if (dp !== 0) return dp;
      return k.evSeq[x] - k.evSeq[y];
    });
  }

  /** Registers a handler and returns its id for {@link schedule}. */
  addHandler(h: EventHandler): number {
    if (this.handlers.length >= 65535) throw new Error('too many event handlers');
    this.handlers.push(h);
    return this.handlers.length - 1;
  }

  /** Number of queued entries. */
  get pending(): number {
    return this.heap.length;
  }

  /**
   * Queues an entry. It must not lie in the past of the entry being processed; the kernel
   * checks this so the total order can never be broken silently.
   */
  schedule(step: number, offset: number, phase: PhaseRank, handler: number, a: number, b: number, value: number): void {
    if (
      step < this.step ||
      (step === this.step && (offset < this.curOffset || (offset === this.curOffset && phase < this.curPhase)))
    ) {
      this.rejectPast(step, offset, phase);
    }
    if (!Number.isInteger(step) || !(offset >= 0)) rejectTime(step, offset);
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.evStep[slot] = step;
    this.evOffset[slot] = offset;
    this.evPhase[slot] = phase;
    this.evSeq[slot] = this.sequence++;
    this.evHandler[slot] = handler;
    this.evA[slot] = a;
    this.evB[slot] = b;
    this.evValue[slot] = value;
    this.heap.push(slot);
  }

  /**
   * The errors of {@link schedule}, out of line: schedule runs for every queued spike and is
   * inlined into its callers, which then need not compile the message building.
   */
  private rejectPast(step: number, offset: number, phase: number): never {
    throw new Error(
      `cannot schedule an event at step ${step} (offset ${offset}, phase ${phase}): the kernel is already at step ${this.step}, offset ${this.curOffset}, phase ${this.curPhase}.`,
    );
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const g = <T extends Float64Array | Uint8Array | Uint16Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const a = make(cap);
      a.set(old);
      return a;
    };
    this.evStep = g(this.evStep, (n) => new Float64Array(n));
    this.evOffset = g(this.evOffset, (n) => new Float64Array(n));
    this.evPhase = g(this.evPhase, (n) => new Uint8Array(n));
    this.evSeq = g(this.evSeq, (n) => new Float64Array(n));
    this.evHandler = g(this.evHandler, (n) => new Uint16Array(n));
    this.evA = g(this.evA, (n) => new Int32Array(n));
    this.evB = g(this.evB, (n) => new Int32Array(n));
    this.evValue = g(this.evValue, (n) => new Float64Array(n));
    this.capacity = cap;
  }

  /**
   * The slot of the next queued entry due before the work of `stage` in `step` (stage 0 emit,
   * 1 update, 2 record: keys below (step, 0, Spike|Update|Record); stage 3: the rest of the
   * step), or -1 when none is due.
   */
  private nextDue(step: number, stage: number): number {
    const top = this.heap.peek();
    if (top === undefined) return -1;
    const s = this.evStep[top];
    if (s > step) return -1;
    if (s === step && stage < 3 && (this.evOffset[top] > 0 || this.evPhase[top] >= STAGE_PHASE[stage])) return -1;
    return top;
  }

  private pop(top: number): void {
    this.heap.pop();
    const h = this.evHandler[top];
    const step = this.evStep[top];
    const offset = this.evOffset[top];
    const a = this.evA[top];
    const b = this.evB[top];
    const v = this.evValue[top];
    this.free.push(top);
    this.curOffset = offset;
    this.curPhase = this.evPhase[top];
    this.handlers[h].handle(step, offset, a, b, v);
  }

  /**
   * Runs steps until `endStep` (exclusive), then the entries of `endStep` with phase below
   * Update (so spikes stamped at the end time are delivered and recorded). A later call
   * continues exactly where this one stopped.
   *
   * One loop over the four stages of a step, so queued entries are dispatched from a single
   * place: the optimising compiler then compiles the delivery path once, not once per stage.
   */
  run(endStep: number, onStep?: (step: number) => void): void {
    const work = this.work;
    while (this.step < endStep) {
      const k = this.step;
      for (let stage = 0; stage < 4; stage++) {
        for (let top = this.nextDue(k, stage); top >= 0; top = this.nextDue(k, stage)) this.pop(top);
        if (stage === 3) break;
        this.curOffset = 0;
        this.curPhase = STAGE_PHASE[stage];
        if (stage === 0) work.emit(k);
        else if (stage === 1) work.update(k);
        else work.record(k);
      }
      this.step = k + 1;
      this.curOffset = 0;
      this.curPhase = 0;
      if (onStep !== undefined) onStep(k);
    }
    for (let top = this.nextDue(endStep, 1); top >= 0; top = this.nextDue(endStep, 1)) this.pop(top);
    // Entries of endStep below the update phase have run; nothing may be queued before them.
    this.curOffset = 0;
    this.curPhase = Phase.Update;
  }
}

/** The phase of the per-step work done at each stage of a step (emit, update, record). */
const STAGE_PHASE = new Uint8Array([Phase.Spike, Phase.Update, Phase.Record]);

function rejectTime(step: number, offset: number): never {
  throw new Error(`invalid event time: step ${step} must be a whole number and offset ${offset} must be >= 0.`);
}
