/**
 * Streaming Arrow writer with bounded memory. Rows accumulate in typed-array columns of a
 * fixed batch size; a full batch is encoded as an Arrow IPC stream message and written to
 * disk synchronously, so every completed batch survives a crash. On close the stream becomes
 * an Arrow IPC file: the same bytes between the file's magic and a footer that indexes them.
 * Without a path the batches stay in memory and close() yields a Table.
 */
import { closeSync, openSync, readSync, renameSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Dictionary,
  Field,
  FixedSizeList,
  Bool,
  Float64,
  Int8,
  Int16,
  Int32,
  type DataType,
  MetadataVersion,
  RecordBatch,
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
import { FileBlock, Footer } from 'apache-arrow/ipc/metadata/file';
import { SimulationError } from '../engine/errors.js';

/**
 * Column declaration: a numeric type, a boolean (written 0/1 into the buffer), or a
 * dictionary-encoded string with fixed values (the buffer holds the value's index).
 */
export type ColumnSpec =
  | { name: string; type: 'uint32' | 'float64' | 'int32' | 'int16' | 'int8' | 'bool' }
  | { name: string; type: 'dictionary'; values: readonly string[] }
  /** A FixedSizeList<Float64> of `size` values per row: fill row r at r·size of its buffer (append() takes scalar columns only). */
  | { name: string; type: 'fsl_float64'; size: number };

type NumericType = 'uint32' | 'float64' | 'int32' | 'int16' | 'int8' | 'bool';

/** Buffer and Arrow type of each numeric column type (booleans are bit-packed when written). */
const NUMERIC: Record<NumericType, { buffer: (n: number) => ColumnData; arrow: () => DataType }> = {
  uint32: { buffer: (n) => new Uint32Array(n), arrow: () => new Uint32() },
  float64: { buffer: (n) => new Float64Array(n), arrow: () => new Float64() },
  int32: { buffer: (n) => new Int32Array(n), arrow: () => new Int32() },
  int16: { buffer: (n) => new Int16Array(n), arrow: () => new Int16() },
  int8: { buffer: (n) => new Int8Array(n), arrow: () => new Int8() },
  bool: { buffer: (n) => new Uint8Array(n), arrow: () => new Bool() },
};

type ColumnData = Uint32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** Default rows per record batch. */
export const DEFAULT_BATCH_SIZE = 65536;

/**
 * Moves the bytes an apache-arrow writer has encoded so far out of its internal queue.
 * The writers only expose their output as streams; this drains it synchronously so a batch
 * reaches the file before the simulation continues.
 */
function drain(writer: RecordBatchStreamWriter): Uint8Array[] {
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
    for (const c of specs) {
      if (c.type === 'fsl_float64' && !(Number.isInteger(c.size) && c.size >= 1)) {
        throw new SimulationError('recorder_error', `column '${c.name}': a fixed-size list needs a whole number size >= 1, got ${c.size}.`);
      }
    }
    this.columns = specs.map((c) =>
      c.type === 'dictionary' ? new Int32Array(batchSize) : c.type === 'fsl_float64' ? new Float64Array(batchSize * c.size) : NUMERIC[c.type].buffer(batchSize),
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
      if (spec.type === 'fsl_float64') {
        const type = this.schema.fields[c].type as FixedSizeList<Float64>;
        const child = makeData({ type: new Float64(), length: n * spec.size, data: (this.columns[c] as Float64Array).slice(0, n * spec.size) });
        return makeData({ type, length: n, child });
      }
      const data = this.columns[c].slice(0, n);
      const type = this.schema.fields[c].type;
      if (spec.type === 'dictionary') {
        return makeData({ type: type as Dictionary<Utf8, Int32>, length: n, data: data as Int32Array, dictionary: this.dictionaries[c]! });
      }
      if (spec.type === 'bool') return makeData({ type: type as Bool, length: n, data: packBits(data as Uint8Array) });
      return makeData({ type, length: n, data } as never);
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
    const stream = this.stream!;
    // Readers of the file form expect at least one batch, even for a run without rows.
    if (this.totalRows === 0) {
      stream.write(this.makeBatch(0));
      writeChunks(this.fd!, drain(stream));
    }
    // Where each message sits in the stream; finish() forgets it.
    const blocks = stream as unknown as { _recordBatchBlocks: FileBlock[]; _dictionaryBlocks: FileBlock[] };
    const records = blocks._recordBatchBlocks.slice();
    const dictionaries = blocks._dictionaryBlocks.slice();
    stream.finish();
    writeChunks(this.fd!, drain(stream));
    closeSync(this.fd!);
    this.fd = null;
    streamToFile(this.path, this.schema, records, dictionaries);
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
function arrowType(c: ColumnSpec, position: number): DataType {
  if (c.type === 'dictionary') return new Dictionary(new Utf8(), new Int32(), position);
  if (c.type === 'fsl_float64') return new FixedSizeList(c.size, new Field('item', new Float64(), false));
  return NUMERIC[c.type].arrow();
}

/** Arrow's boolean layout: one bit per row, least significant bit first. */
function packBits(values: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i]) out[i >> 3] |= 1 << (i & 7);
  return out;
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

/** "ARROW1" and two bytes of padding: what an IPC file starts with, before its stream. */
const FILE_HEAD = new Uint8Array([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0]);

/**
 * Turns a finished IPC stream file into an IPC file in place. The file form is the stream
 * itself (schema, dictionaries, batches, end marker) between "ARROW1" and a footer that
 * indexes the messages, so the stream's bytes are copied unchanged, in bounded chunks, and
 * the footer is built from the message positions the stream writer kept (shifted by the
 * 8-byte head). The result replaces the stream only once complete.
 */
function streamToFile(path: string, schema: Schema, records: readonly FileBlock[], dictionaries: readonly FileBlock[]): void {
  const tmp = `${path}.tmp`;
  const shift = (b: FileBlock) => new FileBlock(b.metaDataLength, b.bodyLength, b.offset + FILE_HEAD.byteLength);
  const footer = Footer.encode(new Footer(schema, MetadataVersion.V5, records.map(shift), dictionaries.map(shift)));
  const src = openSync(path, 'r');
  const dst = openSync(tmp, 'w');
  try {
    writeAll(dst, FILE_HEAD);
    const chunk = new Uint8Array(1 << 20);
    for (;;) {
      const n = readSync(src, chunk, 0, chunk.byteLength, null);
      if (n === 0) break;
      writeAll(dst, chunk.subarray(0, n));
    }
    writeAll(dst, footer);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setInt32(0, footer.byteLength, true);
    writeAll(dst, len);
    writeAll(dst, FILE_HEAD.subarray(0, 6));
  } finally {
    closeSync(src);
    closeSync(dst);
  }
  renameSync(tmp, path);
}
