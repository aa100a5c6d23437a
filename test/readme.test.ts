import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';

test('the README example runs as written and reads its spikes back', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has an Example section with a ts block');
  const code = block![1];
  assert.ok(code.trim().split('\n').length <= 16, 'the example stays short');
  const dir = await tempDir();
  const file = join(dir, 'example.mts');
  writeFileSync(file, code.replace("from 'spikeflow'", `from ${JSON.stringify(join(ROOT, 'engine', 'index.ts'))}`));
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), file], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+ spikes; first: \{/, `stdout: ${r.stdout} stderr: ${r.stderr}`);
  assert.ok(Number(r.stdout.split(' ')[0]) > 100, 'the example network is active');
});

test.run();
