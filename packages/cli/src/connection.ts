import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { CliError, CliErrorCode } from './errors';

/** The embedded dev server's address (`duban dev`), used when nothing else is configured. */
export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

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
export function connectionSettings(profile?: string): ConnectionSettings {
  const connectConfig = loadClientConnectConfig(profile ? { profile } : {});
  const configured = connectConfig.connectionOptions.address;
  return {
    address: configured ?? DEFAULT_ADDRESS,
    namespace: connectConfig.namespace ?? DEFAULT_NAMESPACE,
    source: configured ? 'environment or profile' : 'embedded default',
    connectConfig,
  };
}

export async function connectClient(settings: ConnectionSettings): Promise<{ client: Client; connection: Connection }> {
  const { address, namespace } = settings;
  try {
    const connection = await Connection.connect({
      ...settings.connectConfig.connectionOptions,
      address,
      connectTimeout: '5 seconds',
    } as Parameters<typeof Connection.connect>[0]);
    return { client: new Client({ connection, namespace }), connection };
  } catch (cause) {
    throw new CliError(
      CliErrorCode.SERVER_UNREACHABLE,
      `No Temporal server answers at ${address} (${(cause as Error).message}). ` +
        'Start one with `pnpm duban dev`, or set TEMPORAL_ADDRESS to a running server.',
    );
  }
}
