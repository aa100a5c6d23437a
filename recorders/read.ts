/**
 * Reads what the recorders write: an Arrow IPC file (normal close) or an Arrow IPC stream
 * (a run that was killed), keeping every complete record batch of a truncated stream.
 */
import { readFileSync } from 'node:fs';
import { RecordBatchReader, Table, type RecordBatch } from 'apache-arrow';

/** Reads an Arrow file or stream written by a recorder into a Table. */
export function readArrow(path: string): Table {
  const bytes = readFileSync(path);
  const batches: RecordBatch[] = [];
  let reader: RecordBatchReader | null = null;
  try {
    reader = RecordBatchReader.from(bytes) as RecordBatchReader;
    reader.open();
    for (;;) {
      const next = reader.next() as IteratorResult<RecordBatch>;
      if (next.done) break;
      // Skips the empty placeholder the reader yields for a stream without batches, and the
      // empty batch a closed file of no rows holds: they carry nothing but the schema.
      if (next.value.numRows > 0) batches.push(next.value);
    }
  } catch (e) {
    // A stream cut off mid-message: the complete batches before it are kept.
    if (reader === null || reader.schema === undefined || reader.schema === null) {
      throw new Error(`'${path}' is not an Arrow file or stream (${(e as Error).message}).`);
    }
  }
  return new Table(reader!.schema, batches);
}
