/**
 * Per-population copies of a model's update function.
 *
 * V8 compiles a function once per source location and shares that code between all closures
 * of it. A hot loop then reads its typed arrays from non-constant objects, reloading their
 * base pointers and lengths around every store and call, which measured 3 to 4 times slower
 * than the same loop over arrays the compiler sees as constants. Giving every population its
 * own copy of the update code, with its context object as a closure constant, lets the
 * compiler specialise each copy to that population's arrays.
 *
 * The copy is built from the function's source, so a model may opt in (`specialize: true`)
 * only if its update uses nothing but its context argument and globals such as Math.
 */

/** Returns a zero-argument function that runs `update(ctx)`, specialised when possible. */
export function specializeUpdate(update: (ctx: never) => void, ctx: object, enabled: boolean): () => void {
  const generic = () => update(ctx as never);
  if (!enabled) return generic;
  const parts = splitFunctionSource(update.toString());
  if (parts === null) return generic;
  try {
    // Transpilers that keep function names wrap inner functions in a `__name` helper.
    const factory = new Function(parts.param, '__name', `"use strict";\nreturn function specializedUpdate() {\n${parts.body}\n};`);
    return factory(ctx, (f: unknown) => f) as () => void;
  } catch {
    return generic;
  }
}

/** Splits `name(p) {…}`, `function name(p) {…}` or `(p) => {…}` into parameter and body. */
export function splitFunctionSource(src: string): { param: string; body: string } | null {
  const open = src.indexOf('(');
  if (open < 0) return null;
  const close = src.indexOf(')', open);
  if (close < 0) return null;
  const param = src.slice(open + 1, close).trim();
  if (!/^[A-Za-z_$][\w$]*$/.test(param)) return null;
  const head = src.slice(0, open).trim();
  if (head !== '' && !/^(async\s+)?(function\s*)?[\w$]*$/.test(head)) return null;
  const between = src.slice(close + 1, src.indexOf('{', close)).trim();
  if (between !== '' && between !== '=>') return null;
  const start = src.indexOf('{', close);
  const end = src.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  return { param, body: src.slice(start + 1, end) };
}
