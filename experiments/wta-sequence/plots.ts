/**
 * Figures of the wta-sequence experiment: the ordered network raster over the input raster,
 * and the two views of the WTA sizes on the grid. Every function takes plain data and returns
 * an SVG string (or the spec behind it), so the figures do not depend on the network code.
 */
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg, renderVegaSvg, canonicalSvgIds } from '../plot.js';
import { InputKind, type Phase } from './types.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Pale fills for the periods of pattern 0, 1, …; pattern 0 matches the red pattern spikes. */
const PATTERN_SHADES = ['#f7d4d0', '#cfe0f1', '#d5ecd0', '#fde2c4', '#e3dcef', '#f3e3a8'];

/** Data of one run's raster. Times are steps of `dtMs` from the start of the run. */
export interface RasterInput {
  /** Step of each network spike (parallel to `neuronIds`). */
  spikeSteps: ArrayLike<number>;
  /** Neuron id of each network spike. */
  neuronIds: ArrayLike<number>;
  /** Neuron ids in display order, top row first (from `getOrder`); spikes of other ids are not drawn. */
  order: ArrayLike<number>;
  /** Step of each input spike (parallel to `inputChannels` and `inputKinds`). */
  inputSteps: ArrayLike<number>;
  /** Channel of each input spike. */
  inputChannels: ArrayLike<number>;
  /** Kind of each input spike ({@link InputKind}): only the frozen-pattern kind is drawn red. */
  inputKinds: ArrayLike<number>;
  /** Phases of the run in steps; the pattern ones (patternId ≥ 0) are shaded. */
  phases: readonly Phase[];
  /** Figure title. */
  title: string;
  /** Length of the run in ms: the time axis spans [0, tMs]. */
  tMs: number;
  /** Number of input channels (rows of the input raster); default: highest channel + 1. */
  nInputs?: number;
  /** Step length in ms (default 1). */
  dtMs?: number;
}

/** Height of a raster panel: a few pixels per row, bounded so large networks stay on screen. */
function panelHeight(rows: number, pxPerRow: number, min: number, max: number): number {
  return Math.round(Math.min(max, Math.max(min, rows * pxPerRow)));
}

/**
 * Vega-lite spec of {@link rasterSvg}: the network panel (marks `net_spikes`, shading
 * `net_shade`) above the input panel (`input_noise`, `input_pattern`, shading `input_shade`),
 * sharing the time axis.
 */
export function wtaRasterSpec(r: RasterInput): TopLevelSpec {
  const n = r.spikeSteps.length;
  if (r.neuronIds.length !== n) throw new Error(`rasterSvg: ${n} spike steps but ${r.neuronIds.length} neuron ids`);
  const ni = r.inputSteps.length;
  if (r.inputChannels.length !== ni || r.inputKinds.length !== ni) {
    throw new Error(`rasterSvg: input arrays differ in length (${ni} steps, ${r.inputChannels.length} channels, ${r.inputKinds.length} kinds)`);
  }
  if (!(r.tMs > 0)) throw new Error(`rasterSvg: tMs must be positive, got ${r.tMs}`);
  const dt = r.dtMs ?? 1;

  const rank = new Map<number, number>();
  for (let p = 0; p < r.order.length; p++) rank.set(r.order[p], p);
  const nRows = Math.max(1, r.order.length);

  // Rows are addressed by their centre (rank + 0.5) on a [0, rows] scale so a tick fills its row.
  const net: { t: number; y: number }[] = [];
  for (let s = 0; s < n; s++) {
    const p = rank.get(r.neuronIds[s]);
    const t = r.spikeSteps[s] * dt;
    if (p !== undefined && t <= r.tMs) net.push({ t, y: p + 0.5 });
  }
  let maxChannel = -1;
  for (let s = 0; s < ni; s++) if (r.inputChannels[s] > maxChannel) maxChannel = r.inputChannels[s];
  const nCh = Math.max(1, r.nInputs ?? maxChannel + 1);
  const noise: { t: number; y: number }[] = [];
  const pattern: { t: number; y: number }[] = [];
  for (let s = 0; s < ni; s++) {
    const t = r.inputSteps[s] * dt;
    if (t > r.tMs) continue;
    (r.inputKinds[s] === InputKind.Pattern ? pattern : noise).push({ t, y: r.inputChannels[s] + 0.5 });
  }
  const shade: { t0: number; t1: number; pattern: string }[] = [];
  const patternIds: number[] = [];
  for (const ph of r.phases) {
    if (ph.patternId < 0) continue;
    const t0 = Math.max(0, ph.start * dt);
    const t1 = Math.min(r.tMs, ph.end * dt);
    if (t1 <= t0) continue;
    shade.push({ t0, t1, pattern: `pattern ${ph.patternId}` });
    if (!patternIds.includes(ph.patternId)) patternIds.push(ph.patternId);
  }
  patternIds.sort((a, b) => a - b);

  const width = 1200;
  const netH = panelHeight(nRows, 3, 120, 600);
  const inH = panelHeight(nCh, 2, 80, 300);
  const xScale = { domain: [0, r.tMs], nice: false, zero: false };
  const shadeColor = {
    field: 'pattern',
    type: 'nominal',
    title: null,
    scale: { domain: patternIds.map((id) => `pattern ${id}`), range: patternIds.map((id) => PATTERN_SHADES[id % PATTERN_SHADES.length]) },
    legend: { orient: 'right', symbolType: 'square' },
  };
  const shadeLayer = (name: string) => ({
    name,
    data: { values: shade },
    mark: { type: 'rect', aria: false },
    encoding: {
      x: { field: 't0', type: 'quantitative', scale: xScale },
      x2: { field: 't1' },
      y: { value: 0 },
      y2: { value: 'height' },
      color: shadeColor,
    },
  });
  const ticks = (name: string, values: { t: number; y: number }[], rows: number, height: number, color: string, yTitle: string | null, xAxis: object) => ({
    name,
    data: { values },
    // Ticks a little shorter than a row keep neighbouring rows apart; no per-mark aria text keeps the file small.
    mark: { type: 'tick', orient: 'vertical', thickness: 1, size: Math.max(1, Math.round((height / rows) * 80) / 100), color, opacity: 1, aria: false },
    encoding: {
      x: { field: 't', type: 'quantitative', scale: xScale, axis: xAxis },
      y: { field: 'y', type: 'quantitative', scale: { domain: [0, rows], reverse: true, nice: false, zero: false }, axis: { title: yTitle, grid: false, tickMinStep: 1 } },
    },
  });
  const hiddenTime = { title: null, labels: false, grid: false };
  const time = { title: 'time (ms)', grid: false };
  const layer = (shadeName: string, rest: object[]) => (shade.length > 0 ? [shadeLayer(shadeName), ...rest] : rest);

  return {
    $schema: SCHEMA,
    title: r.title,
    spacing: 6,
    vconcat: [
      {
        width,
        height: netH,
        layer: layer('net_shade', [ticks('net_spikes', net, nRows, netH, '#1b1b1b', 'neuron (activation order)', hiddenTime)]),
      },
      {
        width,
        height: inH,
        layer: layer('input_shade', [
          ticks('input_noise', noise, nCh, inH, '#000000', 'input channel', time),
          ticks('input_pattern', pattern, nCh, inH, '#d62728', 'input channel', time),
        ]),
      },
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

/**
 * Raster of one run as SVG: network spikes in the given order on top, input spikes below
 * (noise black, frozen pattern red), pattern periods shaded across both, time in ms.
 */
export async function rasterSvg(r: RasterInput): Promise<string> {
  return canonicalSvgIds(await renderSvg(wtaRasterSpec(r)));
}

/** WTA sizes on their grid. WTA w sits at row i = floor(w / m), column j = w mod m. */
export interface GridInput {
  /** [n, m]: n rows, m columns. */
  gridShape: readonly [number, number] | readonly number[];
  /** K of each WTA, n·m entries. */
  wtaSizes: ArrayLike<number>;
}

function checkGrid(g: GridInput): { n: number; m: number; total: number; kLo: number; kHi: number } {
  const [n, m] = g.gridShape;
  if (g.gridShape.length !== 2 || !Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1) {
    throw new Error(`grid plot: gridShape must be two positive integers, got [${Array.from(g.gridShape).join(', ')}]`);
  }
  if (g.wtaSizes.length !== n * m) throw new Error(`grid plot: ${g.wtaSizes.length} WTA sizes for a ${n}×${m} grid`);
  let total = 0;
  let kLo = Infinity;
  let kHi = -Infinity;
  for (let w = 0; w < n * m; w++) {
    const k = g.wtaSizes[w];
    total += k;
    if (k < kLo) kLo = k;
    if (k > kHi) kHi = k;
  }
  return { n, m, total, kLo, kHi };
}

/** Title shared by both grid figures. */
export function gridTitle(n: number, m: number): string {
  return `Number of neurons of each WTA circuit on the (${n}×${m}) grid`;
}

/** Vega-lite spec of {@link gridVisualizationSvg}; marks `cells` and `counts`. */
export function gridVisualizationSpec(g: GridInput): TopLevelSpec {
  const { n, m, total, kLo, kHi } = checkGrid(g);
  const values: { i: number; j: number; k: number }[] = [];
  for (let w = 0; w < n * m; w++) values.push({ i: Math.floor(w / m), j: w % m, k: g.wtaSizes[w] });
  const cell = 48;
  // viridis is dark at the low end: white numbers there, black on the light high end.
  const mid = (kLo + kHi) / 2;
  return {
    $schema: SCHEMA,
    title: gridTitle(n, m),
    width: m * cell,
    height: n * cell,
    data: { values },
    encoding: {
      x: { field: 'j', type: 'ordinal', title: `${total} neurons total`, axis: { labelAngle: 0 } },
      y: { field: 'i', type: 'ordinal', title: 'grid row' },
    },
    layer: [
      {
        name: 'cells',
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1, aria: false },
        encoding: {
          color: { field: 'k', type: 'quantitative', title: 'K', scale: { scheme: 'viridis', domain: [kLo, kHi === kLo ? kLo + 1 : kHi] } },
        },
      },
      {
        name: 'counts',
        mark: { type: 'text', fontSize: 16, fontWeight: 'bold', aria: false },
        encoding: {
          text: { field: 'k', type: 'quantitative' },
          color: { condition: { test: `datum.k < ${mid}`, value: 'white' }, value: 'black' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/**
 * K heatmap of the grid with the number in each cell, titled "Number of neurons of each WTA
 * circuit on the (n×m) grid", x-label "<N> neurons total".
 */
export async function gridVisualizationSvg(g: GridInput): Promise<string> {
  return canonicalSvgIds(await renderSvg(gridVisualizationSpec(g)));
}

/** [r, g, b] of a colour string as vega's schemes return it ("rgb(r, g, b)" or "#rrggbb"). */
function parseColor(c: string): [number, number, number] {
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(c);
  if (m) return [+m[1], +m[2], +m[3]];
  const h = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (h) return [parseInt(h[1], 16), parseInt(h[2], 16), parseInt(h[3], 16)];
  throw new Error(`unexpected colour ${c}`);
}

/** Colour scaled towards black (f < 1) or towards white (f > 1), as a hex string. */
function shadeColor(rgb: [number, number, number], f: number): string {
  const ch = (v: number) => {
    const x = f <= 1 ? v * f : v + (255 - v) * (f - 1);
    return Math.round(Math.min(255, Math.max(0, x))).toString(16).padStart(2, '0');
  };
  return `#${ch(rgb[0])}${ch(rgb[1])}${ch(rgb[2])}`;
}

/** Relative luminance (0 black … 1 white), to pick a readable ink on a fill. */
function luminance(rgb: [number, number, number]): number {
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
}

/** A tick step of 1, 2 or 5 × 10^k giving about `target` intervals over [0, max]. */
function niceStep(max: number, target: number): number {
  const raw = Math.max(max, 1) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const f of [1, 2, 5, 10]) if (f * p >= raw) return f * p;
  return 10 * p;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/**
 * Vega spec of {@link gridVisualization3dSvg}. Each bar is a group (mark `bar`, drawn back to
 * front) holding its three visible faces (mark `faces`) and its K (mark `bar_label`).
 */
export function gridVisualization3dSpec(g: GridInput): vega.Spec {
  const { n, m, total, kLo, kHi } = checkGrid(g);
  const s = 44; // floor size of one grid cell along its edges, px
  const c = Math.cos(Math.PI / 6);
  const hs = 130 / Math.max(kHi, 1); // px per neuron of bar height
  const left = 64; // room for the K axis at the left corner
  const ox = left + n * c * s;
  const oy = Math.max(kHi, 1) * hs + 24;
  // Isometric view from the front corner (row n, column m): column j runs right-down, row i left-down.
  const P = (x: number, y: number, z: number): [number, number] => [r2(ox + (x - y) * c * s), r2(oy + (x + y) * 0.5 * s - z * hs)];
  const poly = (pts: [number, number][]) => `M${pts.map((p) => `${p[0]},${p[1]}`).join('L')}Z`;

  const interp = vega.scheme('viridis') as unknown as (t: number) => string;
  const gap = 0.1;
  const bars: { bar: number; face: string; path: string; fill: string; lx: number; ly: number; label: string; ink: string }[] = [];
  // Painter's order: farther bars (smaller i + j) first; bars with equal i + j never overlap.
  const cells: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) cells.push([i, j]);
  cells.sort((a, b) => a[0] + a[1] - (b[0] + b[1]) || a[0] - b[0]);
  cells.forEach(([i, j], b) => {
    const k = g.wtaSizes[i * m + j];
    const rgb = parseColor(interp(kHi > kLo ? 0.15 + (0.8 * (k - kLo)) / (kHi - kLo) : 0.55));
    const x0 = j + gap, x1 = j + 1 - gap, y0 = i + gap, y1 = i + 1 - gap;
    const [lx, ly] = P(j + 0.5, i + 0.5, k);
    const top = shadeColor(rgb, 1.18);
    const common = { bar: b, lx, ly: r2(ly + 4), label: String(k), ink: luminance(parseColor(top)) < 0.45 ? '#ffffff' : '#111111' };
    bars.push({ ...common, face: 'front_left', path: poly([P(x0, y1, 0), P(x1, y1, 0), P(x1, y1, k), P(x0, y1, k)]), fill: shadeColor(rgb, 0.85) });
    bars.push({ ...common, face: 'front_right', path: poly([P(x1, y0, 0), P(x1, y1, 0), P(x1, y1, k), P(x1, y0, k)]), fill: shadeColor(rgb, 0.62) });
    bars.push({ ...common, face: 'top', path: poly([P(x0, y0, k), P(x1, y0, k), P(x1, y1, k), P(x0, y1, k)]), fill: top });
  });

  const floor: { path: string }[] = [];
  for (let i = 0; i <= n; i++) floor.push({ path: poly([P(0, i, 0), P(m, i, 0)]) });
  for (let j = 0; j <= m; j++) floor.push({ path: poly([P(j, 0, 0), P(j, n, 0)]) });

  // Edge labels along the two front edges of the floor, rotated to run with them.
  const labels: { x: number; y: number; text: string; angle: number; bold: boolean }[] = [];
  for (let j = 0; j < m; j++) {
    const [x, y] = P(j + 0.5, n + 0.35, 0);
    labels.push({ x, y, text: String(j), angle: 0, bold: false });
  }
  for (let i = 0; i < n; i++) {
    const [x, y] = P(m + 0.35, i + 0.5, 0);
    labels.push({ x, y, text: String(i), angle: 0, bold: false });
  }
  {
    const [x, y] = P(m / 2, n + 1.1, 0);
    labels.push({ x, y, text: 'grid column', angle: 30, bold: true });
    const [x2, y2] = P(m + 1.1, n / 2, 0);
    labels.push({ x: x2, y: y2, text: 'grid row', angle: -30, bold: true });
  }

  // Vertical K axis at the left corner of the floor, where no bar can hide it.
  const [ax, ay0] = P(0, n, 0);
  const step = niceStep(kHi, 5);
  const axis: { path: string }[] = [{ path: `M${ax},${ay0}L${ax},${r2(ay0 - Math.max(kHi, 1) * hs)}` }];
  const axisLabels: { x: number; y: number; text: string }[] = [];
  for (let v = 0; v <= kHi + 1e-9; v += step) {
    const y = r2(ay0 - v * hs);
    axis.push({ path: `M${r2(ax - 5)},${y}L${ax},${y}` });
    axisLabels.push({ x: r2(ax - 8), y, text: String(v) });
  }

  const [, bottom] = P(m, n, 0);
  const [right] = P(m, 0, 0);
  return {
    $schema: 'https://vega.github.io/schema/vega/v5.json',
    width: Math.ceil(right + 40),
    height: Math.ceil(bottom + 56),
    padding: 8,
    autosize: 'pad',
    title: { text: gridTitle(n, m), subtitle: `${total} neurons total`, anchor: 'middle' },
    data: [
      { name: 'faces', values: bars },
      { name: 'floor', values: floor },
      { name: 'edge_labels', values: labels },
      { name: 'axis', values: axis },
      { name: 'axis_labels', values: axisLabels },
    ],
    marks: [
      { type: 'path', name: 'floor_lines', from: { data: 'floor' }, encode: { enter: { path: { field: 'path' }, stroke: { value: '#bbbbbb' }, strokeWidth: { value: 1 } } } },
      { type: 'path', name: 'k_axis_lines', from: { data: 'axis' }, encode: { enter: { path: { field: 'path' }, stroke: { value: '#666666' }, strokeWidth: { value: 1 } } } },
      {
        type: 'text',
        name: 'k_axis_label_text',
        from: { data: 'axis_labels' },
        encode: { enter: { x: { field: 'x' }, y: { field: 'y' }, text: { field: 'text' }, align: { value: 'right' }, baseline: { value: 'middle' }, fontSize: { value: 10 } } },
      },
      {
        type: 'text',
        name: 'k_axis_title',
        encode: {
          enter: {
            x: { value: r2(ax - 34) },
            y: { value: r2(ay0 - (Math.max(kHi, 1) * hs) / 2) },
            text: { value: 'neurons per WTA (K)' },
            angle: { value: -90 },
            align: { value: 'center' },
            baseline: { value: 'middle' },
            fontSize: { value: 11 },
            fontWeight: { value: 'bold' },
          },
        },
      },
      {
        type: 'text',
        name: 'edge_label_text',
        from: { data: 'edge_labels' },
        encode: {
          enter: {
            x: { field: 'x' },
            y: { field: 'y' },
            text: { field: 'text' },
            angle: { field: 'angle' },
            align: { value: 'center' },
            baseline: { value: 'middle' },
            fontSize: { value: 11 },
            fontWeight: { signal: "datum.bold ? 'bold' : 'normal'" },
          },
        },
      },
      {
        type: 'group',
        name: 'bar',
        from: { facet: { name: 'bar_faces', data: 'faces', groupby: 'bar' } },
        sort: { field: 'datum.bar', order: 'ascending' },
        data: [{ name: 'bar_top', source: 'bar_faces', transform: [{ type: 'filter', expr: "datum.face === 'top'" }] }],
        marks: [
          {
            type: 'path',
            name: 'faces',
            from: { data: 'bar_faces' },
            encode: { enter: { path: { field: 'path' }, fill: { field: 'fill' }, stroke: { value: '#2b2b2b' }, strokeWidth: { value: 0.6 } } },
          },
          {
            type: 'text',
            name: 'bar_label',
            from: { data: 'bar_top' },
            encode: {
              enter: {
                x: { field: 'lx' },
                y: { field: 'ly' },
                text: { field: 'label' },
                align: { value: 'center' },
                baseline: { value: 'middle' },
                fontSize: { value: 12 },
                fontWeight: { value: 'bold' },
                fill: { field: 'ink' },
              },
            },
          },
        ],
      },
    ],
  } as vega.Spec;
}

/**
 * Isometric bar chart of K on the real n×m grid: one bar per WTA, height K, the number on its
 * top, a K axis at the left corner; same title as the heatmap, "<N> neurons total" below it.
 */
export async function gridVisualization3dSvg(g: GridInput): Promise<string> {
  return renderVegaSvg(gridVisualization3dSpec(g));
}
