/**
 * The shapes of the task messages' arguments, written once as data: the workflow checks
 * an argument against its shape with {@link parseArgs} (a few plain functions), and the
 * client's zod schemas are derived from the same shapes (`./schemas.ts`, never bundled
 * into workflow code).
 *
 * Why not zod in workflow code: the workflow sandbox evaluates every module of its bundle
 * again for each workflow run, and zod (about 945 KiB with its locales and JSON-schema
 * code, even as `zod/mini`) cost about 8 ms of CPU and 0.6 MiB per cached task there,
 * more than the rest of the task's code together. The shapes here cover what messages
 * need: trimmed text, patterns, numbers with bounds, literals, lists, optional fields,
 * objects (unknown keys dropped, as zod does) and unions on a discriminating field.
 */

export interface TextShape {
  readonly kind: 'text';
  /** Leading and trailing white space removed before the other checks (and in the parsed value). */
  readonly trim?: boolean;
  readonly minLength?: number;
  readonly pattern?: { readonly regex: RegExp; readonly message: string };
}

export interface NumberShape {
  readonly kind: 'number';
  readonly int?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export interface LiteralShape<V extends string = string> {
  readonly kind: 'literal';
  readonly value: V;
}

export interface ListShape<S extends Shape = Shape> {
  readonly kind: 'list';
  readonly of: S;
  readonly minItems?: number;
  readonly maxItems?: number;
}

export interface OptionalShape<S extends Shape = Shape> {
  readonly kind: 'optional';
  readonly of: S;
}

export type Fields = Readonly<Record<string, Shape>>;

export interface ObjectShape<F extends Fields = Fields> {
  readonly kind: 'object';
  readonly fields: F;
}

export interface UnionShape<K extends string = string, O extends readonly ObjectShape[] = readonly ObjectShape[]> {
  readonly kind: 'union';
  /** The field whose literal value picks the option. */
  readonly discriminator: K;
  readonly options: O;
}

// `any` inside: the constraint of every shape, not a shape itself (a recursive constraint
// would make the compiler expand `Infer` of every shape of every depth).
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Shape = TextShape | NumberShape | LiteralShape | ListShape<any> | OptionalShape<any> | ObjectShape<any> | UnionShape<string, any>;
/** What a message's argument may be: an object, or a union of objects. */
export type ArgsShape = ObjectShape<any> | UnionShape<string, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

type Flatten<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalShape ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;

/** The value a shape parses to (`unknown` for the `any` inside the constraints). */
export type Infer<S> = 0 extends 1 & S
  ? unknown
  : S extends TextShape
  ? string
  : S extends NumberShape
    ? number
    : S extends LiteralShape<infer V>
      ? V
      : S extends ListShape<infer T>
        ? Infer<T>[]
        : S extends OptionalShape<infer T>
          ? Infer<T> | undefined
          : S extends ObjectShape<infer F>
            ? Flatten<{ [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: F[K] extends OptionalShape<infer T> ? Infer<T> : never }>
            : S extends UnionShape<string, infer O>
              ? Infer<O[number]>
              : never;

export const text = (rules: Omit<TextShape, 'kind'> = {}): TextShape => ({ kind: 'text', ...rules });
export const number = (rules: Omit<NumberShape, 'kind'> = {}): NumberShape => ({ kind: 'number', ...rules });
export const literal = <const V extends string>(value: V): LiteralShape<V> => ({ kind: 'literal', value });
export const list = <S extends Shape>(of: S, rules: Omit<ListShape, 'kind' | 'of'> = {}): ListShape<S> => ({ kind: 'list', of, ...rules });
export const optional = <S extends Shape>(of: S): OptionalShape<S> => ({ kind: 'optional', of });
export const object = <const F extends Fields>(fields: F): ObjectShape<F> => ({ kind: 'object', fields });
export const union = <const K extends string, const O extends readonly ObjectShape[]>(discriminator: K, options: O): UnionShape<K, O> => ({
  kind: 'union',
  discriminator,
  options,
});

/**
 * An instant with an explicit offset (`Z` or `±hh:mm`), so no time zone is guessed inside
 * the workflow: a valid calendar date, hours and minutes, optional seconds and fraction.
 * At least as lenient as the `z.iso.datetime({ offset: true })` it replaces (seconds may
 * be left out here), so every argument recorded before replays.
 */
export const INSTANT_PATTERN = new RegExp(
  '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))' +
    'T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d+)?)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$',
);

/** What the checks say, in the order a shape checks them; also the messages of the derived zod schemas. */
export const ARG_MESSAGES = {
  required: 'required',
  text: 'expected text',
  empty: 'must not be empty',
  tooShort: (min: number) => `at least ${min} characters`,
  number: 'expected a finite number',
  int: 'expected a whole number',
  min: (min: number) => `at least ${min}`,
  max: (max: number) => `at most ${max}`,
  literal: (value: string) => `expected '${value}'`,
  list: 'expected a list',
  minItems: (min: number) => `at least ${min} item${min === 1 ? '' : 's'}`,
  maxItems: (max: number) => `at most ${max} items`,
  object: 'expected an object',
  option: (values: readonly string[]) => `expected ${values.map((v) => `'${v}'`).join(' or ')}`,
  instant: 'an ISO 8601 instant with an offset, e.g. 2026-05-01T09:30:00+08:00',
} as const;

export interface ArgIssue {
  path: (string | number)[];
  message: string;
}

export type ArgsParse<T> = { success: true; data: T } | { success: false; issues: ArgIssue[] };

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseShape(shape: Shape, value: unknown, path: (string | number)[], issues: ArgIssue[]): Parsed {
  const refuse = (message: string): Parsed => {
    issues.push({ path, message });
    return { ok: false };
  };
  switch (shape.kind) {
    case 'text': {
      if (typeof value !== 'string') return refuse(ARG_MESSAGES.text);
      const given = shape.trim ? value.trim() : value;
      if (shape.minLength !== undefined && given.length < shape.minLength) return refuse(shape.minLength === 1 ? ARG_MESSAGES.empty : ARG_MESSAGES.tooShort(shape.minLength));
      if (shape.pattern && !shape.pattern.regex.test(given)) return refuse(shape.pattern.message);
      return { ok: true, value: given };
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return refuse(ARG_MESSAGES.number);
      if (shape.int && !Number.isInteger(value)) return refuse(ARG_MESSAGES.int);
      if (shape.min !== undefined && value < shape.min) return refuse(ARG_MESSAGES.min(shape.min));
      if (shape.max !== undefined && value > shape.max) return refuse(ARG_MESSAGES.max(shape.max));
      return { ok: true, value };
    }
    case 'literal':
      return value === shape.value ? { ok: true, value } : refuse(ARG_MESSAGES.literal(shape.value));
    case 'list': {
      if (!Array.isArray(value)) return refuse(ARG_MESSAGES.list);
      const items: unknown[] = [];
      let ok = true;
      value.forEach((item: unknown, i) => {
        const parsed = parseShape(shape.of, item, [...path, i], issues);
        if (parsed.ok) items.push(parsed.value);
        else ok = false;
      });
      if (shape.minItems !== undefined && value.length < shape.minItems) return refuse(ARG_MESSAGES.minItems(shape.minItems));
      if (shape.maxItems !== undefined && value.length > shape.maxItems) return refuse(ARG_MESSAGES.maxItems(shape.maxItems));
      return ok ? { ok: true, value: items } : { ok: false };
    }
    case 'optional':
      return value === undefined ? { ok: true, value } : parseShape(shape.of, value, path, issues);
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(ARG_MESSAGES.object);
      const given = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      let ok = true;
      // Only the fields of the shape: unknown keys are dropped.
      for (const [key, field] of Object.entries(shape.fields as Fields)) {
        const present = Object.prototype.hasOwnProperty.call(given, key) && given[key] !== undefined;
        if (!present) {
          if (field.kind === 'optional') continue;
          issues.push({ path: [...path, key], message: ARG_MESSAGES.required });
          ok = false;
          continue;
        }
        const parsed = parseShape(field, given[key], [...path, key], issues);
        if (parsed.ok) out[key] = parsed.value;
        else ok = false;
      }
      return ok ? { ok: true, value: out } : { ok: false };
    }
    case 'union': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(ARG_MESSAGES.object);
      const picked = (value as Record<string, unknown>)[shape.discriminator];
      const option = (shape.options as readonly ObjectShape[]).find((o) => {
        const field = o.fields[shape.discriminator];
        return field?.kind === 'literal' && field.value === picked;
      });
      if (!option) {
        issues.push({ path: [...path, shape.discriminator], message: ARG_MESSAGES.option(discriminatorValues(shape)) });
        return { ok: false };
      }
      return parseShape(option, value, path, issues);
    }
  }
}

/** The values of a union's discriminating field, one per option. */
export function discriminatorValues(shape: UnionShape): string[] {
  return (shape.options as readonly ObjectShape[]).flatMap((o) => {
    const field = o.fields[shape.discriminator];
    return field?.kind === 'literal' ? [field.value] : [];
  });
}

/**
 * Checks `raw` against `shape`: the parsed value (texts trimmed where the shape says so,
 * unknown keys dropped) or every issue found, each with its path. Deterministic and
 * allocation-light: it runs in the update validator and again in the handler.
 */
export function parseArgs<S extends ArgsShape>(shape: S, raw: unknown): ArgsParse<Infer<S>> {
  const issues: ArgIssue[] = [];
  const parsed = parseShape(shape, raw, [], issues);
  return parsed.ok && issues.length === 0 ? { success: true, data: parsed.value as Infer<S> } : { success: false, issues };
}
