/**
 * Turns an experiment's zod options schema into command-line flags (camelCase key →
 * --kebab-case flag, description and default from the schema) and parses them back through
 * the same schema, so flags, validation and docs cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { z } from 'zod';

/**
 * camelCase → kebab-case; a trailing number becomes its own word (trialNum2 → trial-num-2) and
 * a key that starts with a capital keeps it (T → T), as commander maps such flags back to the
 * same key.
 */
export function flagName(key: string): string {
  return key.replace(/(?<=.)[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/(?<=[a-zA-Z])(\d+)$/, '-$1');
}

function unwrap(t: z.ZodTypeAny): { base: z.ZodTypeAny; def: unknown } {
  let def: unknown;
  let cur = t;
  for (;;) {
    if (cur instanceof z.ZodDefault) {
      def = cur._def.defaultValue();
      cur = cur._def.innerType;
    } else if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) {
      cur = cur._def.innerType;
    } else if (cur instanceof z.ZodEffects) {
      cur = cur._def.schema;
    } else return { base: cur, def };
  }
}

/** Adds one flag per schema key to `cmd`. */
export function addSchemaOptions(cmd: Command, schema: z.AnyZodObject): Command {
  for (const [key, t] of Object.entries(schema.shape as Record<string, z.ZodTypeAny>)) {
    const { base, def } = unwrap(t);
    const flag = flagName(key);
    const desc = t.description ?? base.description ?? key;
    let opt: Option;
    if (base instanceof z.ZodBoolean) {
      opt = new Option(`--${flag} [bool]`, desc).argParser((v) => (v === undefined ? true : parseBool(v, flag)));
      cmd.addOption(new Option(`--no-${flag}`, `set ${flag} to false`));
    } else if (base instanceof z.ZodNumber) {
      opt = new Option(`--${flag} <number>`, desc).argParser((v) => parseNumber(v, flag));
    } else if (base instanceof z.ZodEnum) {
      opt = new Option(`--${flag} <value>`, desc).choices(base.options as string[]);
    } else if (base instanceof z.ZodArray) {
      opt = new Option(`--${flag} <json>`, `${desc} (JSON array)`).argParser((v) => parseJson(v, flag));
    } else {
      opt = new Option(`--${flag} <value>`, desc);
    }
    if (def !== undefined) opt.default(def, JSON.stringify(def));
    cmd.addOption(opt);
  }
  return cmd;
}

function parseNumber(v: string, flag: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new Error(`--${flag} expects a number, got '${v}'.`);
  return x;
}

function parseBool(v: string, flag: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`--${flag} expects true or false, got '${v}'.`);
}

function parseJson(v: string, flag: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    throw new Error(`--${flag} expects JSON, got '${v}'.`);
  }
}

/**
 * Builds the options object from parsed flags, an optional JSON config file (validated by the
 * same schema; flags given explicitly win) and the schema's defaults.
 */
export function parseSchemaOptions<S extends z.AnyZodObject>(cmd: Command, schema: S, configPath?: string): z.infer<S> {
  const flags = cmd.opts();
  let config: Record<string, unknown> = {};
  if (configPath) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (e) {
      throw new Error(`cannot read config file '${configPath}': ${(e as Error).message}`);
    }
    try {
      config = JSON.parse(text);
    } catch (e) {
      throw new Error(`config file '${configPath}' is not valid JSON: ${(e as Error).message}`);
    }
  }
  const merged: Record<string, unknown> = { ...config };
  for (const key of Object.keys(schema.shape)) {
    const source = cmd.getOptionValueSource(key);
    if (source === 'cli' || (source !== undefined && source !== 'default' && !(key in config))) merged[key] = flags[key];
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const msg = parsed.error.issues
      .map((i) => {
        const key = String(i.path[0] ?? '');
        return `  --${flagName(key)}${key in config ? ` (config '${key}')` : ''}: ${i.message}`;
      })
      .join('\n');
    throw new Error(`invalid options:\n${msg}`);
  }
  return parsed.data;
}
