/**
 * Errors raised by the engine. Every message names the offending thing and how to fix it,
 * so that bad input fails loudly at the call that caused it instead of as a NaN later.
 */

/** Machine-readable category of a {@link SimulationError}. */
export type ErrorCode =
  | 'unknown_model'
  | 'unknown_parameter'
  | 'invalid_value'
  | 'invalid_delay'
  | 'empty_population'
  | 'foreign_population'
  | 'network_too_large'
  | 'non_finite_state'
  | 'invalid_connection'
  | 'invalid_state'
  | 'recorder_error';

/** The one error class the engine throws for user mistakes. */
export class SimulationError extends Error {
  /** Category of the mistake, stable across versions. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SimulationError';
    this.code = code;
  }
}

/** Levenshtein distance, used only to suggest a near name in error messages. */
function editDistance(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  let prev = new Array<number>(lb + 1);
  let cur = new Array<number>(lb + 1);
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    for (let j = 1; j <= lb; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[lb];
}

/**
 * The candidate closest to `name` (case-insensitive edit distance), or undefined when
 * nothing is close enough to be a plausible typo.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** " Did you mean 'x'?" when a near name exists, plus the list of valid names. */
export function suggestion(name: string, candidates: readonly string[]): string {
  const near = nearestName(name, candidates);
  const list = ` Valid names: ${candidates.join(', ')}.`;
  return (near ? ` Did you mean '${near}'?` : '') + list;
}
