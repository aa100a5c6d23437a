/**
 * The project's one plotting path: vega-lite specifications compiled and rendered to SVG by
 * vega with the headless 'none' renderer (no canvas needed).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  // vega numbers gradient and clip ids process-wide; renumber so figures are byte-identical.
  return canonicalSvgIds(svg);
}

/** Renders a spec and writes it to `path`. */
export async function writeSvg(path: string, spec: TopLevelSpec): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await renderSvg(spec));
}

/**
 * Spike raster as small ticks: time (ms) against neuron id. At most `maxNeurons` neurons
 * (the first ones) are drawn so the file stays small.
 */
export function rasterSpec(
  ids: ArrayLike<number>,
  times: ArrayLike<number>,
  opts: { title: string; maxNeurons?: number; firstId?: number; tMaxMs?: number },
): TopLevelSpec {
  const first = opts.firstId ?? 0;
  const limit = first + (opts.maxNeurons ?? 500);
  const values: { t: number; id: number }[] = [];
  for (let r = 0; r < ids.length; r++) {
    if (ids[r] >= first && ids[r] < limit && (opts.tMaxMs === undefined || times[r] <= opts.tMaxMs)) values.push({ t: times[r], id: ids[r] });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: 640,
    height: 320,
    data: { values },
    mark: { type: 'tick', orient: 'vertical', thickness: 1, size: 3, color: '#1f4e79' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time (ms)' },
      y: { field: 'id', type: 'quantitative', title: 'neuron id', scale: { zero: false } },
    },
  } as TopLevelSpec;
}

/** Histogram spec of per-neuron firing rates (Hz). */
export function rateHistogramSpec(rates: ArrayLike<number>, title: string): TopLevelSpec {
  const values = Array.from(rates, (r) => ({ rate: r }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 400,
    height: 240,
    data: { values },
    mark: { type: 'bar', color: '#1f4e79' },
    encoding: {
      x: { field: 'rate', type: 'quantitative', bin: { maxbins: 40 }, title: 'firing rate (Hz)' },
      y: { aggregate: 'count', type: 'quantitative', title: 'neurons' },
    },
  } as TopLevelSpec;
}

/**
 * Renders a plain vega spec (not vega-lite) to an SVG string, for figures vega-lite cannot
 * express (e.g. projected polygons); same headless renderer as {@link renderSvg}.
 */
export async function renderVegaSvg(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return canonicalSvgIds(svg);
}

/**
 * Renumbers the gradient and clip-path ids of a vega SVG by order of first appearance. vega
 * draws them from process-wide counters, so without this the same figure comes out with
 * different ids depending on what was rendered before it in the process.
 */
export function canonicalSvgIds(svg: string): string {
  const ids = new Map<string, string>();
  const next: Record<string, number> = { gradient_: 0, clip: 0 };
  return svg.replace(/(id="|url\(#)(p_)?(gradient_|clip)(\d+)/g, (_m, ctx: string, pre: string | undefined, kind: string, num: string) => {
    let id = ids.get(kind + num);
    if (id === undefined) {
      id = kind + next[kind]++;
      ids.set(kind + num, id);
    }
    return ctx + (pre ?? '') + id;
  });
}
