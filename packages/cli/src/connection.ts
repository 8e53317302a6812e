/**
 * How commands reach the Temporal server. The Temporal client and `@duban/client` are
 * loaded when a command connects (or reads the connection settings), not when this module
 * is: every command imports it for the global options, and `duban plan validate` should
 * not load a gRPC client it never uses.
 */
import type { Client, Connection } from '@temporalio/client';
import type { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Command } from 'commander';
import type { DubanClient, DubanConnectOptions } from '@duban/client';
import { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS, DubanError, ENV, ErrorCode, messageOf } from '@duban/common';
import type { CommandContext } from './context';
import { defaultLang, type Lang } from './i18n';

export interface ConnectionSettings {
  address: string;
  namespace: string;
  /** Where the settings came from, for `doctor`. */
  source: 'environment or profile' | 'embedded default';
  connectConfig: ReturnType<typeof loadClientConnectConfig>;
}

/**
 * Reads connection settings the Temporal way (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TLS and API key variables, TEMPORAL_PROFILE and the config file) and falls back to the
 * embedded dev server.
 */
export async function connectionSettings(profile?: string, env?: NodeJS.ProcessEnv): Promise<ConnectionSettings> {
  const { loadClientConnectConfig } = await import('@temporalio/envconfig');
  const connectConfig = loadClientConnectConfig({
    ...(profile ? { profile } : {}),
    ...(env ? { overrideEnvVars: definedOnly(env) } : {}),
  });
  const configured = connectConfig.connectionOptions.address;
  return {
    address: configured ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: connectConfig.namespace ?? DEFAULT_NAMESPACE,
    source: configured ? 'environment or profile' : 'embedded default',
    connectConfig,
  };
}

export async function connectClient(settings: ConnectionSettings): Promise<{ client: Client; connection: Connection }> {
  const { address, namespace } = settings;
  const { Client, Connection } = await import('@temporalio/client');
  try {
    const connection = await Connection.connect({
      ...settings.connectConfig.connectionOptions,
      address,
      connectTimeout: '5 seconds',
    } as Parameters<typeof Connection.connect>[0]);
    return { client: new Client({ connection, namespace }), connection };
  } catch (cause) {
    throw new DubanError(
      ErrorCode.SERVER_UNREACHABLE,
      `No Temporal server answers at ${address} (${messageOf(cause)}). Start one with \`pnpm duban dev\`, or set ${ENV.address} to a running server.`,
      { details: { address, namespace }, cause },
    );
  }
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

/** The options every command inherits from `duban` itself. */
export interface GlobalOptions {
  lang: Lang;
  /** A profile of the Temporal config file (TEMPORAL_PROFILE when not given). */
  profile: string | undefined;
}

/** Reads the global options (`--lang`, `--profile`) as seen from a subcommand. */
export function globalOptions(command: Command, ctx: CommandContext): GlobalOptions {
  const opts = command.optsWithGlobals<{ lang?: Lang; profile?: string }>();
  return { lang: opts.lang ?? defaultLang(ctx.env), profile: opts.profile ?? (ctx.env[ENV.profile] || undefined) };
}

/**
 * A duban client on the configured server; the caller closes it.
 *
 * @throws DubanError `SERVER_UNREACHABLE` (the client's, exit 1) when no server answers.
 */
export async function connectDuban(ctx: CommandContext, globals: GlobalOptions): Promise<DubanClient> {
  const settings = await connectionSettings(globals.profile, ctx.env);
  const { DubanClient } = await import('@duban/client');
  return DubanClient.connect({
    address: settings.address,
    namespace: settings.namespace,
    // envconfig's options are the SDK's connection options under another declared type.
    connectionOptions: settings.connectConfig.connectionOptions as DubanConnectOptions['connectionOptions'],
  });
}

/** Connects, lets `use` talk to the server, and closes the connection whatever happens. */
export async function withDuban<T>(ctx: CommandContext, globals: GlobalOptions, use: (duban: DubanClient) => Promise<T>): Promise<T> {
  const duban = await connectDuban(ctx, globals);
  try {
    return await use(duban);
  } finally {
    await duban.close();
  }
}
