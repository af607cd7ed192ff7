import { UserError } from '../src/engine/errors.ts';

type Spec = Record<string, 'string' | 'boolean'>;

export interface Flags {
  string(name: string, required: true): string;
  string(name: string, required?: false): string | undefined;
  number(name: string): number | undefined;
  boolean(name: string): boolean;
}

/** `--name value` and `--flag` parsing; unknown flags and missing values are UserErrors. */
export function parseFlags(argv: string[], spec: Spec): Flags {
  const values = new Map<string, string | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UserError(`unexpected argument "${arg}".`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
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
    values.set(name, v);
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
  } as Flags;
}
