/**
 * Channel secrets (SMTP passwords, robot keys and tokens, webhook signing secrets) live
 * outside every file duban writes or reads as configuration: configuration names a
 * secret, the environment holds it. A resolved secret is a {@link Secret}, whose value
 * comes out only through `reveal()`, so printing, logging or serialising it by mistake
 * shows its name instead.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { DubanError, ENV, ErrorCode, messageOf } from '@duban/common';

/** A secret's name in configuration: a letter or digit, then letters, digits, `-`, `_`. */
const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * A secret value with its name. `String(secret)`, `JSON.stringify`, `util.inspect` and
 * template literals all give `[secret NAME]`; only {@link reveal} gives the value, at the
 * one place it is put on the wire.
 */
export class Secret {
  readonly #value: string;

  constructor(
    /** The name configuration uses for it, safe to show. */
    readonly name: string,
    value: string,
  ) {
    this.#value = value;
  }

  /** The value itself: call it where it goes on the wire, nowhere else. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return `[secret ${this.name}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Where named secrets come from. */
export interface SecretSource {
  /** @throws DubanError `SECRET_NOT_FOUND` when nothing holds the name; `SECRET_INVALID` for a bad name or file. */
  get(name: string): Secret;
}

/** The variable holding the secret `name`: `xihu-smtp` → `DUBAN_SECRET_XIHU_SMTP` (add `_FILE` for a file path). */
export function secretEnvName(name: string): string {
  if (!SECRET_NAME.test(name)) {
    throw new DubanError(
      ErrorCode.SECRET_INVALID,
      `${JSON.stringify(name)} is not a secret name: use letters, digits, "-" and "_" (e.g. xihu-smtp-password).`,
      { details: { secret: name } },
    );
  }
  return `${ENV.secretPrefix}${name.toUpperCase().replace(/-/g, '_')}`;
}

export interface EnvSecretsOptions {
  /** The environment to read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Secrets from the environment: `DUBAN_SECRET_<NAME>` holds the value, or
 * `DUBAN_SECRET_<NAME>_FILE` the path of a file holding it (the way container
 * orchestrators mount secrets; one trailing newline is dropped). Setting both is refused
 * rather than guessing which one is meant.
 *
 * @example
 * ```ts
 * // DUBAN_SECRET_XIHU_SMTP_FILE=/run/secrets/xihu-smtp
 * const password = envSecrets().get('xihu-smtp');   // Secret, printed as [secret xihu-smtp]
 * ```
 */
export function envSecrets(options: EnvSecretsOptions = {}): SecretSource {
  const env = options.env ?? process.env;
  return {
    get(name: string): Secret {
      const variable = secretEnvName(name);
      const fileVariable = `${variable}_FILE`;
      const value = env[variable];
      const file = env[fileVariable];
      const details = { secret: name, variable, fileVariable };
      if (value !== undefined && value !== '' && file !== undefined && file !== '') {
        throw new DubanError(ErrorCode.SECRET_INVALID, `The secret ${name} is set twice, in ${variable} and in ${fileVariable}: unset one of them.`, {
          details,
        });
      }
      if (value !== undefined && value !== '') return new Secret(name, value);
      if (file !== undefined && file !== '') return new Secret(name, readSecretFile(name, file, fileVariable));
      throw new DubanError(ErrorCode.SECRET_NOT_FOUND, `The secret ${name} is not set: set ${variable}, or ${fileVariable} to the path of a file holding it.`, {
        details,
      });
    },
  };
}

function readSecretFile(name: string, file: string, fileVariable: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // The message names the file, never its content.
    throw new DubanError(ErrorCode.SECRET_INVALID, `The file ${file} named by ${fileVariable} for the secret ${name} cannot be read (${messageOf(err)}).`, {
      details: { secret: name, file },
    });
  }
  // Editors and `echo` end files with a newline that is not part of the secret.
  const value = text.replace(/\r?\n$/, '');
  if (value === '') {
    throw new DubanError(ErrorCode.SECRET_INVALID, `The file ${file} named by ${fileVariable} for the secret ${name} is empty.`, {
      details: { secret: name, file },
    });
  }
  return value;
}

/**
 * Text from outside (a server's answer, an SMTP reply) with every form of the secrets a
 * channel holds replaced by their names, before it goes into an error or a receipt: a
 * receiver may echo the request, key and all.
 */
export function scrubSecrets(text: string, secrets: readonly Secret[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    const value = secret.reveal();
    // As sent (a query parameter is form-encoded), as a path or header would carry it, and base64.
    const formEncoded = new URLSearchParams({ v: value }).toString().slice('v='.length);
    const forms = new Set([value, encodeURIComponent(value), formEncoded, Buffer.from(value, 'utf8').toString('base64')]);
    for (const form of forms) {
      if (form !== '') scrubbed = scrubbed.split(form).join(secret.toString());
    }
  }
  return scrubbed;
}
