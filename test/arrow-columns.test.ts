import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from '@uwdata/flechette';
import { ArrowColumnWriter, readArrow } from '../recorders/index.js';
import { tempDir } from './helpers.js';

test('every column type round-trips through a file, read by apache-arrow and flechette alike', async () => {
  const dir = await tempDir();
  const path = join(dir, 'cols.arrow');
  const w = new ArrowColumnWriter(
    [
      { name: 'run', type: 'dictionary', values: ['before', 'train'] },
      { name: 'time_ms', type: 'int32' },
      { name: 'channel', type: 'int16' },
      { name: 'kind', type: 'int8' },
      { name: 'is_input', type: 'bool' },
      { name: 'id', type: 'uint32' },
      { name: 'w', type: 'float64' },
    ],
    new Map([['k', 'v']]),
    path,
    4,
  );
  // 11 rows over batches of 4: the bit packing of booleans must survive partial bytes.
  const rows: number[][] = [];
  for (let r = 0; r < 11; r++) rows.push([r % 2, r * 1000 - 3000, -r, (r % 3) - 1, r % 3 === 0 ? 1 : 0, 4e9 - r, r / 7]);
  for (const row of rows) w.append(row);
  await w.close();
  const a = readArrow(path);
  const f = tableFromIPC(readFileSync(path));
  assert.is(a.numRows, 11);
  assert.is(f.numRows, 11);
  const names = ['run', 'time_ms', 'channel', 'kind', 'is_input', 'id', 'w'];
  for (let r = 0; r < 11; r++) {
    const expected = [['before', 'train'][rows[r][0]], rows[r][1], rows[r][2], rows[r][3], rows[r][4] === 1, rows[r][5], rows[r][6]];
    names.forEach((name, c) => {
      assert.is(a.getChild(name)!.get(r), expected[c], `apache-arrow ${name}[${r}]`);
      assert.is(f.getChild(name).at(r), expected[c], `flechette ${name}[${r}]`);
    });
  }
  assert.equal(
    a.schema.fields.map((x) => String(x.type)),
    ['Dictionary<Int32, Utf8>', 'Int32', 'Int16', 'Int8', 'Bool', 'Uint32', 'Float64'],
  );
});

test.run();
