/**
 * Figures of the wta-sequence experiment: each renders to well-formed SVG with its title and
 * axis labels, draws one mark per datum where the data says so (checked against positions
 * re-derived here from the layout constants), and renders byte-identically twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  rasterSvg,
  gridVisualizationSvg,
  gridVisualization3dSvg,
  gridTitle,
  wtaRasterSpec,
  gridVisualizationSpec,
  gridVisualization3dSpec,
  type RasterInput,
} from '../experiments/wta-sequence/plots.js';
import { canonicalSvgIds } from '../experiments/plot.js';

/** Throws unless every element is closed in order (a minimal XML well-formedness check). */
function assertWellFormed(svg: string): void {
  assert.ok(svg.startsWith('<svg'), 'starts with <svg');
  assert.ok(svg.endsWith('</svg>'), 'ends with </svg>');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:"[^"]*"|'[^']*'|[^'">])*?)(\/?)>/g;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(svg))) {
    if (m[4] === '/') continue;
    if (m[1] === '/') {
      const open = stack.pop();
      if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}> at ${m.index}`);
    } else stack.push(m[2]);
  }
  assert.equal(stack, [], 'all elements closed');
  assert.not.ok(/NaN|undefined|Infinity/.test(svg), 'no NaN/undefined/Infinity in the SVG');
}

/** The child elements (opening tags) of every mark group whose class ends with `name`. */
function markItems(svg: string, name: string): string[][] {
  const groups: string[][] = [];
  const open = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}"[^>]*>`, 'g');
  let m: RegExpExecArray | null;
  while ((m = open.exec(svg))) {
    const end = svg.indexOf('</g>', m.index + m[0].length);
    const body = svg.slice(m.index + m[0].length, end);
    groups.push(body.match(/<(path|text|line)\b[^>]*>(?:[^<]*<\/text>)?/g) ?? []);
  }
  return groups;
}

/** [x, y, w, h] of a rect drawn by vega as `d="Mx,yhWvHh-WZ"`. */
function rectOf(item: string): [number, number, number, number] {
  const m = /d="M(-?[\d.e-]+),(-?[\d.e-]+)h(-?[\d.e-]+)v(-?[\d.e-]+)h/.exec(item);
  if (!m) throw new Error(`not a rect path: ${item}`);
  return [+m[1], +m[2], +m[3], +m[4]];
}

const closeTo = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// Layout constants of wtaRasterSpec (plot width, rows of 3 px for the network and 2 px for the
// inputs, with panel heights clamped to [120, 600] and [80, 300] px).
const WIDTH = 1200;

function smallRaster(): RasterInput {
  return {
    // Neuron 7 is not in the order (not drawn); the spike at step 1200 lies past tMs (not drawn).
    spikeSteps: [10, 250, 250, 400, 600, 1200, 900],
    neuronIds: [2, 0, 1, 7, 2, 0, 1],
    order: [2, 0, 1],
    inputSteps: [5, 300, 320, 340, 950],
    inputChannels: [0, 3, 1, 2, 4],
    inputKinds: [0, 1, 2, 1, 0],
    nInputs: 5,
    phases: [
      { start: 0, end: 250, patternId: -1, sequenceId: -1 },
      { start: 250, end: 550, patternId: 0, sequenceId: 0 },
      { start: 550, end: 1000, patternId: -1, sequenceId: -1 },
    ],
    title: 'Spikes of test_a',
    tMs: 1000,
  };
}

test('raster: well-formed SVG with title, axis labels and one mark per drawn spike', async () => {
  const r = smallRaster();
  const svg = await rasterSvg(r);
  assertWellFormed(svg);
  for (const s of ['Spikes of test_a', 'time (ms)', 'neuron (activation order)', 'input channel', 'pattern 0']) {
    assert.ok(svg.includes(s), `contains "${s}"`);
  }
  const [net] = markItems(svg, 'net_spikes_marks');
  assert.is(net.length, 5, 'network ticks: the neuron outside the order and the spike past tMs are dropped');
  assert.is(markItems(svg, 'input_noise_marks')[0].length, 3, 'noise ticks: kinds 0 and 2');
  assert.is(markItems(svg, 'input_pattern_marks')[0].length, 2, 'pattern ticks: kind 1');
  assert.is(markItems(svg, 'net_shade_marks')[0].length, 1, 'one shaded pattern period in the network panel');
  assert.is(markItems(svg, 'input_shade_marks')[0].length, 1, 'and in the input panel');
  assert.ok(/fill="#d62728"/.test(markItems(svg, 'input_pattern_marks')[0][0]), 'pattern spikes are red');
  assert.ok(/fill="#000000"/.test(markItems(svg, 'input_noise_marks')[0][0]), 'noise spikes are black');
});

test('raster: ticks sit at their time and in the row of their rank in the order', async () => {
  const r = smallRaster();
  const [net] = markItems(await rasterSvg(r), 'net_spikes_marks');
  // Network panel: 3 rows → 3·3 = 9 px, clamped up to 120 px; a row is 40 px, a tick 80% of it.
  const rowPx = 120 / 3;
  const drawn = [0, 1, 2, 4, 6]; // indices of the spikes kept, in data order
  const rankOf = new Map([[2, 0], [0, 1], [1, 2]]);
  drawn.forEach((s, q) => {
    const [x, y, w, h] = rectOf(net[q]);
    closeTo(x + w / 2, (r.spikeSteps[s] / r.tMs) * WIDTH, 1e-6, `time of spike ${s}`);
    closeTo(y + h / 2, (rankOf.get(r.neuronIds[s])! + 0.5) * rowPx, 1e-6, `row of spike ${s}`);
    closeTo(h, 0.8 * rowPx, 1e-6, 'tick height');
  });
  const [shade] = markItems(await rasterSvg(r), 'net_shade_marks');
  const [x, , w, h] = rectOf(shade[0]);
  closeTo(x, 0.25 * WIDTH, 1e-6, 'pattern period start');
  closeTo(x + w, 0.55 * WIDTH, 1e-6, 'pattern period end');
  closeTo(h, 120, 1e-6, 'shading spans the whole panel');
});

test('raster: rendering is deterministic and a 5 s run of 125 neurons + 100 inputs stays small', async () => {
  assert.is(await rasterSvg(smallRaster()), await rasterSvg(smallRaster()));
  // Activity of the experiment: 20 WTAs at 100 Hz for 5 s is 10 000 network spikes; 100
  // channels at 5 Hz give 2500 input spikes. A fixed LCG spreads them (no Math.random).
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const spikeSteps: number[] = [];
  const neuronIds: number[] = [];
  for (let q = 0; q < 10000; q++) {
    spikeSteps.push(Math.floor(rnd() * 5000));
    neuronIds.push(Math.floor(rnd() * 125));
  }
  const inputSteps: number[] = [];
  const inputChannels: number[] = [];
  const inputKinds: number[] = [];
  for (let q = 0; q < 2500; q++) {
    inputSteps.push(Math.floor(rnd() * 5000));
    inputChannels.push(Math.floor(rnd() * 100));
    inputKinds.push(Math.floor(rnd() * 3));
  }
  const phases = [];
  for (let t = 0; t < 5000; t += 800) {
    phases.push({ start: t, end: t + 500, patternId: -1, sequenceId: -1 }, { start: t + 500, end: t + 800, patternId: 0, sequenceId: 0 });
  }
  const order = Array.from({ length: 125 }, (_, k) => (k * 37) % 125);
  const svg = await rasterSvg({ spikeSteps, neuronIds, order, inputSteps, inputChannels, inputKinds, phases, title: 'big', tMs: 5000 });
  assert.is(markItems(svg, 'net_spikes_marks')[0].length, 10000);
  const nIn = markItems(svg, 'input_noise_marks')[0].length + markItems(svg, 'input_pattern_marks')[0].length;
  assert.is(nIn, 2500);
  assert.ok(svg.length < 3e6, `SVG of ${svg.length} bytes should stay under 3 MB`);
});

test('raster: mismatched array lengths are refused', () => {
  const r = smallRaster();
  assert.throws(() => wtaRasterSpec({ ...r, neuronIds: [1] }), /spike steps/);
  assert.throws(() => wtaRasterSpec({ ...r, inputKinds: [0] }), /input arrays/);
});

test('grid heatmap: title, labels, one cell and one number per WTA at (row w div m, column w mod m)', async () => {
  const wtaSizes = [2, 3, 4, 10, 6, 7]; // 2×3 grid, asymmetric so a transposed layout would show
  const svg = await gridVisualizationSvg({ gridShape: [2, 3], wtaSizes });
  assertWellFormed(svg);
  assert.is(gridTitle(2, 3), 'Number of neurons of each WTA circuit on the (2×3) grid');
  assert.ok(svg.includes(gridTitle(2, 3)), 'title');
  assert.ok(svg.includes('32 neurons total'), 'x-label is the neuron count');
  assert.ok(svg.includes('grid row'), 'y-label');
  const [cells] = markItems(svg, 'cells_marks');
  assert.is(cells.length, 6);
  const [counts] = markItems(svg, 'counts_marks');
  assert.is(counts.length, 6);
  // Cells are 48 px squares: a number's anchor lies inside the cell of its grid position.
  const seen = new Set<number>();
  for (const t of counts) {
    const m = /translate\(([\d.]+),([\d.]+)\)[^>]*>(\d+)<\/text>/.exec(t)!;
    const j = Math.floor(+m[1] / 48);
    const i = Math.floor(+m[2] / 48);
    assert.is(+m[3], wtaSizes[i * 3 + j], `number in cell (${i}, ${j})`);
    seen.add(i * 3 + j);
  }
  assert.is(seen.size, 6, 'every cell holds one number');
  assert.is(await gridVisualizationSvg({ gridShape: [2, 3], wtaSizes }), svg, 'deterministic');
});

test('grid 3-D: one bar per WTA drawn back to front, heights proportional to K, on the real grid', async () => {
  const n = 2;
  const m = 3;
  const wtaSizes = [2, 3, 4, 10, 6, 7];
  const svg = await gridVisualization3dSvg({ gridShape: [n, m], wtaSizes });
  assertWellFormed(svg);
  for (const s of [gridTitle(n, m), '32 neurons total', 'grid row', 'grid column', 'neurons per WTA (K)']) assert.ok(svg.includes(s), `contains "${s}"`);
  const faces = markItems(svg, 'faces');
  const labels = markItems(svg, 'bar_label');
  assert.is(faces.length, n * m, 'one bar group per WTA');
  assert.ok(faces.every((f) => f.length === 3), 'three visible faces per bar');
  // Painter's order: ascending i + j, then i. The labels must come out in that order.
  const cells: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) cells.push([i, j]);
  cells.sort((a, b) => a[0] + a[1] - (b[0] + b[1]) || a[0] - b[0]);
  const texts = labels.map((l) => +/>(\d+)<\/text>/.exec(l[0])![1]);
  assert.equal(texts, cells.map(([i, j]) => wtaSizes[i * m + j]));
  const pts = (item: string) => /d="([^"]+)"/.exec(item)![1].slice(1, -1).split('L').map((p) => p.split(',').map(Number));
  // The front-left face runs from the floor (first vertex) straight up to the top (fourth vertex).
  const heights = faces.map((f) => {
    const p = pts(f[0]);
    closeTo(p[0][0], p[3][0], 1e-9, 'vertical edge');
    return p[0][1] - p[3][1];
  });
  cells.forEach(([i, j], b) => closeTo(heights[b] / heights[0], wtaSizes[i * m + j] / wtaSizes[cells[0][0] * m + cells[0][1]], 0.01, `height of bar (${i}, ${j})`));
  // Isometric floor: the label x depends on j − i only, one cell step per unit.
  const xs = labels.map((l) => +/translate\(([\d.]+),/.exec(l[0])![1]);
  const step = (xs[cells.findIndex(([i, j]) => i === 0 && j === 1)] - xs[0]);
  assert.ok(step > 0, 'column index runs to the right');
  cells.forEach(([i, j], b) => closeTo(xs[b] - xs[0], (j - i) * step, 0.02, `x of bar (${i}, ${j})`));
  assert.is(await gridVisualization3dSvg({ gridShape: [n, m], wtaSizes }), svg, 'deterministic');
});

test('grid plots: a size list that does not fit the grid is refused', () => {
  assert.throws(() => gridVisualizationSpec({ gridShape: [2, 3], wtaSizes: [1, 2, 3] }), /3 WTA sizes for a 2×3 grid/);
  assert.throws(() => gridVisualization3dSpec({ gridShape: [0, 3], wtaSizes: [] }), /gridShape/);
});

test('canonicalSvgIds: gradient and clip ids renumbered by first appearance, references kept in step', () => {
  const svg = '<g clip-path="url(#clip7)"><path fill="url(#gradient_5)"/><path fill="url(#p_gradient_9)"/></g>'
    + '<defs><clipPath id="clip7"/><linearGradient id="gradient_5"/><pattern id="p_gradient_9"/></defs><text>clip3</text>';
  assert.is(
    canonicalSvgIds(svg),
    '<g clip-path="url(#clip0)"><path fill="url(#gradient_0)"/><path fill="url(#p_gradient_1)"/></g>'
      + '<defs><clipPath id="clip0"/><linearGradient id="gradient_0"/><pattern id="p_gradient_1"/></defs><text>clip3</text>',
  );
});

test.run();
