/**
 * Streaming Arrow writer with bounded memory. Rows accumulate in typed-array columns of a
 * fixed batch size; a full batch is encoded as an Arrow IPC stream message and written to
 * disk synchronously, so every completed batch survives a crash. On close the stream is
 * rewritten as an Arrow IPC file (with footer) by reading it back batch by batch.
 * Without a path the batches stay in memory and close() yields a Table.
 */
import { closeSync, createReadStream, openSync, renameSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Dictionary,
  Field,
  Float64,
  Int32,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  Uint32,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { SimulationError } from '../engine/errors.js';

/** Column declaration: Uint32, Float64, or a dictionary-encoded string with fixed values. */
export type ColumnSpec =
  | { name: string; type: 'uint32' }
  | { name: string; type: 'float64' }
  | { name: string; type: 'dictionary'; values: readonly string[] };

type ColumnData = Uint32Array | Float64Array | Int32Array;

/** Default rows per record batch. */
export const DEFAULT_BATCH_SIZE = 65536;

/**
 * Moves the bytes an apache-arrow writer has encoded so far out of its internal queue.
 * The writers only expose their output as streams; this drains it synchronously so a batch
 * reaches the file before the simulation continues.
 */
function drain(writer: RecordBatchStreamWriter | RecordBatchFileWriter): Uint8Array[] {
  const sink = (writer as unknown as { _sink: { _values: Uint8Array[] } })._sink;
  const chunks = sink._values.slice();
  sink._values.length = 0;
  return chunks;
}

/** Writes rows of a fixed schema to an Arrow file (or memory) in fixed-size batches. */
export class ArrowColumnWriter {
  readonly schema: Schema;
  readonly batchSize: number;
  private readonly columns: ColumnData[];
  private readonly dictionaries: (Vector | null)[];
  private rows = 0;
  private totalRows = 0;
  private fd: number | null = null;
  private readonly stream: RecordBatchStreamWriter | null = null;
  private readonly memory: RecordBatch[] = [];
  private closed = false;
  private table: Table | null = null;

  constructor(
    private readonly specs: readonly ColumnSpec[],
    metadata: ReadonlyMap<string, string>,
    /** Output path, or null to keep the batches in memory. */
    readonly path: string | null,
    batchSize = DEFAULT_BATCH_SIZE,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new SimulationError('recorder_error', `batchSize must be a whole number >= 1, got ${batchSize}.`);
    }
    this.batchSize = batchSize;
    const fields = specs.map((c, k) => new Field(c.name, arrowType(c, k), false));
    this.schema = new Schema(fields, new Map(metadata));
    this.columns = specs.map((c) =>
      c.type === 'uint32' ? new Uint32Array(batchSize) : c.type === 'float64' ? new Float64Array(batchSize) : new Int32Array(batchSize),
    );
    this.dictionaries = specs.map((c) => (c.type === 'dictionary' ? makeVector(vectorFromArray([...c.values], new Utf8()).data[0]) : null));
    if (path !== null) {
      try {
        mkdirSync(dirname(path), { recursive: true });
        this.fd = openSync(path, 'w');
      } catch (e) {
        throw new SimulationError('recorder_error', `cannot open '${path}' for writing (${(e as Error).message}); choose a writable path.`);
      }
      this.stream = new RecordBatchStreamWriter({ autoDestroy: false });
      this.stream.reset(undefined, this.schema);
      // The schema goes to disk at once, so a run killed before its first full batch still
      // leaves a readable (empty) stream.
      writeChunks(this.fd, drain(this.stream));
    }
  }

  /** Rows written so far (flushed or pending). */
  get rowCount(): number {
    return this.totalRows + this.rows;
  }

  /** The column buffers of the batch being filled; write row `row` then call commit(). */
  get buffers(): readonly ColumnData[] {
    return this.columns;
  }

  /** Index of the next free row in the current batch. */
  get cursor(): number {
    return this.rows;
  }

  /** Marks the row at `cursor` as written; emits the batch when it is full. */
  commit(): void {
    this.rows++;
    if (this.rows === this.batchSize) this.emitBatch();
  }

  /**
   * Marks `n` rows from `cursor` on as written (they must fit in the current batch, i.e.
   * cursor + n <= batchSize); emits the batch when it is full. Lets callers fill columns
   * with plain loops instead of one commit() per row.
   */
  commitRows(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && this.rows + n <= this.batchSize)) {
      throw new SimulationError('recorder_error', `commitRows(${n}) with ${this.rows} of ${this.batchSize} rows used: the rows must fit in the current batch.`);
    }
    this.rows += n;
    if (this.rows === this.batchSize) this.emitBatch();
  }

  /** Appends one row given as numbers (dictionary columns take the value's index). */
  append(values: readonly number[]): void {
    const r = this.rows;
    for (let c = 0; c < this.columns.length; c++) this.columns[c][r] = values[c];
    this.commit();
  }

  /** A record batch of the first `n` rows of the column buffers (copied). */
  private makeBatch(n: number): RecordBatch {
    const children = this.specs.map((spec, c) => {
      const data = this.columns[c].slice(0, n);
      const type = this.schema.fields[c].type;
      return spec.type === 'dictionary'
        ? makeData({ type: type as Dictionary<Utf8, Int32>, length: n, data: data as Int32Array, dictionary: this.dictionaries[c]! })
        : spec.type === 'uint32'
          ? makeData({ type: type as Uint32, length: n, data: data as Uint32Array })
          : makeData({ type: type as Float64, length: n, data: data as Float64Array });
    });
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: n, children }));
  }

  private emitBatch(): void {
    const n = this.rows;
    if (n === 0) return;
    const batch = this.makeBatch(n);
    if (this.stream !== null && this.fd !== null) {
      this.stream.write(batch);
      writeChunks(this.fd, drain(this.stream));
    } else {
      this.memory.push(batch);
    }
    this.totalRows += n;
    this.rows = 0;
  }

  /**
   * Writes the partial batch now. Batch boundaries then depend on when flush() is called,
   * so determinism-sensitive code should flush only at the same row counts.
   */
  flush(): void {
    this.emitBatch();
  }

  /** Emits the last batch and turns the stream into an Arrow IPC file (or an in-memory Table). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.emitBatch();
    if (this.path === null) {
      this.table = new Table(this.schema, this.memory);
      return;
    }
    this.stream!.finish();
    writeChunks(this.fd!, drain(this.stream!));
    closeSync(this.fd!);
    this.fd = null;
    await rewriteAsFile(this.path, this.schema, this.makeBatch(0));
  }

  /** The recorded rows as a Table (in-memory mode, after close). */
  toTable(): Table {
    if (this.path !== null) throw new SimulationError('recorder_error', `this recorder writes to '${this.path}'; read the file with readArrow().`);
    if (this.table === null) throw new SimulationError('recorder_error', 'close the recorder (or the network) before reading its table.');
    return this.table;
  }
}

/**
 * Arrow type of a column. Dictionary ids are given explicitly (the column's position):
 * apache-arrow otherwise numbers dictionaries from a process-wide counter, and the id is
 * written into the file, so a second identical run in the same process would differ.
 */
function arrowType(c: ColumnSpec, position: number): Uint32 | Float64 | Dictionary<Utf8, Int32> {
  if (c.type === 'uint32') return new Uint32();
  if (c.type === 'float64') return new Float64();
  return new Dictionary(new Utf8(), new Int32(), position);
}

/**
 * Writes the encoded pieces of one or more messages with a single write call. A process
 * killed by a signal does not stop inside a write to a regular file, so a record batch is
 * either wholly in the file or not at all.
 */
function writeChunks(fd: number, chunks: Uint8Array[]): void {
  if (chunks.length === 0) return;
  if (chunks.length === 1) {
    writeAll(fd, chunks[0]);
    return;
  }
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const buf = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    buf.set(c, o);
    o += c.byteLength;
  }
  writeAll(fd, buf);
}

/** writeSync may write less than asked; loop until everything is out. */
function writeAll(fd: number, buf: Uint8Array): void {
  let o = 0;
  while (o < buf.byteLength) o += writeSync(fd, buf, o, buf.byteLength - o);
}

/**
 * Rewrites an Arrow IPC stream file in place as an Arrow IPC file, one batch at a time.
 * `empty` is written when the stream holds no batch, since readers of the file form expect one.
 */
async function rewriteAsFile(path: string, schema: Schema, empty: RecordBatch): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const writer = new RecordBatchFileWriter({ autoDestroy: false });
    writer.reset(undefined, schema);
    const reader = await RecordBatchReader.from(createReadStream(path));
    let any = false;
    for await (const batch of reader) {
      any = true;
      writer.write(batch);
      writeChunks(fd, drain(writer));
    }
    if (!any) writer.write(empty);
    writer.finish();
    writeChunks(fd, drain(writer));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
