import { UserError } from '../src/engine/errors.ts';

/** 'list': a flag that may repeat (`--set a=1 --set b=2`), its values in order. */
type Spec = Record<string, 'string' | 'boolean' | 'list'>;

export interface Flags {
  string(name: string, required: true): string;
  string(name: string, required?: false): string | undefined;
  number(name: string): number | undefined;
  boolean(name: string): boolean;
  list(name: string): string[];
  has(name: string): boolean;
}

/**
 * `--name value`, `--name=value` and `--flag` parsing; unknown flags and missing values are
 * UserErrors. A value may itself contain `=` (`--set=optimizer.lr=1e-4`).
 */
export function parseFlags(argv: string[], spec: Spec): Flags {
  const values = new Map<string, string | boolean>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UserError(`unexpected argument "${arg}".`);
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    const kind = spec[name];
    if (!kind)
      throw new UserError(
        `unknown flag --${name} (known: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')}).`,
      );
    if (kind === 'boolean') {
      values.set(name, inline === undefined ? true : inline !== 'false');
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined || (inline === undefined && v.startsWith('--')))
      throw new UserError(`--${name} needs a value.`);
    if (kind === 'list') lists.set(name, [...(lists.get(name) ?? []), v]);
    else values.set(name, v);
  }
  return {
    string(name: string, required?: boolean) {
      const v = values.get(name);
      if (v === undefined && required) throw new UserError(`--${name} is required.`);
      return v as string;
    },
    number(name: string) {
      const v = values.get(name);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UserError(`--${name} must be a number, got "${v}".`);
      return n;
    },
    boolean(name: string) {
      return values.get(name) === true;
    },
    list(name: string) {
      return [...(lists.get(name) ?? [])];
    },
    has(name: string) {
      return values.has(name) || lists.has(name);
    },
  } as Flags;
}
