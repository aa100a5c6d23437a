/**
 * Per-population copies of hot model code.
 *
 * V8 compiles a function once per source location and shares that code between all closures
 * of it. A hot loop then reads its typed arrays from non-constant objects, reloading their
 * base pointers and lengths around every store and call: measured 3 to 4 times slower than
 * the same loop over arrays the compiler sees as constants. A model's `compile(ctx)` binds
 * its arrays to `const`s once and returns the step function; giving every population its own
 * copy of `compile` (built from its source) lets the compiler specialise each copy to that
 * population's arrays. The arithmetic is the same, so results are identical
 * (SPIKEFLOW_NO_SPECIALIZE=1 turns copying off).
 *
 * A model may opt in (`specialize: true`) only if the function uses nothing but its argument
 * and globals such as Math.
 */

/** A fresh copy of `fn` built from its source, or `fn` itself when that is not possible. */
export function cloneFunction<F extends (...args: never[]) => unknown>(fn: F, enabled: boolean): F {
  if (!enabled) return fn;
  const src = fn.toString();
  // Method shorthand (`compile(ctx) {…}`) is not an expression; name it as a function.
  const expr = /^(async\s+)?function\b/.test(src) || /^\(?[\w$,\s]*\)?\s*=>/.test(src) ? src : `function ${src}`;
  try {
    // Transpilers that keep function names wrap inner functions in a `__name` helper.
    const copy = new Function('__name', `"use strict";\nreturn (${expr});`)((f: unknown) => f);
    return typeof copy === 'function' ? (copy as F) : fn;
  } catch {
    return fn;
  }
}

/** Whether per-population copies are enabled in this process. */
export function specializationEnabled(): boolean {
  return process.env.SPIKEFLOW_NO_SPECIALIZE !== '1';
}
