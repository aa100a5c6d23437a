/**
 * Reads what the recorders write: an Arrow IPC file (normal close) or an Arrow IPC stream
 * (a run that was killed), keeping every complete record batch of a truncated stream.
 */
import { readFileSync } from 'node:fs';
import { RecordBatchReader, Table, type RecordBatch, type Schema } from 'apache-arrow';

/**
 * Reads an Arrow file or stream written by a recorder into a Table. A stream cut off inside a
 * message (a killed run) yields the complete batches before the cut; a file that does not
 * even hold a schema is an error.
 */
export function readArrow(path: string): Table {
  const bytes = readFileSync(path);
  const batches: RecordBatch[] = [];
  let schema: Schema | null = null;
  try {
    const reader = RecordBatchReader.from(bytes) as RecordBatchReader;
    reader.open();
    // Taken now: the reader forgets its schema once it has been read to the end.
    schema = reader.schema ?? null;
    for (;;) {
      const next = reader.next() as IteratorResult<RecordBatch>;
      if (next.done) break;
      // Skips the empty placeholder the reader yields for a stream without batches, and the
      // empty batch a closed file of no rows holds: they carry nothing but the schema.
      if (next.value.numRows > 0) batches.push(next.value);
    }
  } catch (e) {
    if (schema === null) throw new Error(`'${path}' is not an Arrow file or stream (${(e as Error).message}).`);
  }
  if (schema === null) throw new Error(`'${path}' is not an Arrow file or stream (no schema found).`);
  return new Table(schema, batches);
}
