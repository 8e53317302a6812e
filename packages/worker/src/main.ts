import { delimiter, resolve } from 'node:path';
import type { Logger } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { Runtime, type NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { redactUrl, SqliteAuditStore } from '@duban/activities';
import { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS, ENV, messageOf } from '@duban/common';
import { loadPlanFile, type Plan } from '@duban/plan';
import { DubanWorkerError, WorkerErrorCode, connectWorker } from './errors';
import { ensureSearchAttributes } from './search-attributes';
import { createDubanWorker, DEFAULT_WORKER_TUNING, type DubanWorker, type DubanWorkerTuning } from './worker';
import { installPrometheus, startTracing, tracingRequested } from './observability';

/** The environment variables the worker process reads, keyed by the {@link WorkerSettings} they fill (names from `ENV`). */
export const WORKER_ENV = {
  address: ENV.address,
  namespace: ENV.namespace,
  /**
   * The profile of Temporal's config file (TEMPORAL_CONFIG_FILE) to connect with: address,
   * namespace, TLS, API key, gRPC metadata. TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
   * TEMPORAL_API_KEY, TEMPORAL_TLS_* and TEMPORAL_GRPC_META_* win over it, as in every
   * Temporal tool (`@temporalio/envconfig`).
   */
  profile: ENV.profile,
  auditDbPath: ENV.auditDb,
  /** The shared PostgreSQL audit store; wins over the SQLite file. */
  auditUrl: ENV.auditUrl,
  webhookUrl: ENV.webhookUrl,
  /** Plan files whose routing the worker follows, separated like PATH. */
  plans: ENV.plans,
  taskQueue: ENV.taskQueue,
  /** A file of prebuilt workflow code (`bundleWorkflowCode(...).code`): skips bundling at start. */
  workflowBundlePath: ENV.workflowBundle,
  /** `0` to skip registering search attributes (they are managed elsewhere, e.g. Temporal Cloud). */
  registerSearchAttributes: ENV.registerSearchAttributes,
  /** Capacity (`DEFAULT_WORKER_TUNING` when unset): workflows cached, workflow tasks and activities at once. */
  cacheSize: ENV.workerCacheSize,
  workflowTasks: ENV.workerWorkflowTasks,
  activityTasks: ENV.workerActivityTasks,
  /** `host:port` of the Prometheus endpoint (`/metrics`) of the Temporal runtime; none when unset. */
  metricsAddress: ENV.metricsAddress,
} as const;

/** How the worker connects beside the address: the TLS, API key and gRPC metadata of a profile or the variables. */
export type WorkerConnectionOptions = Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'>;

/** What the worker process runs with, after environment and explicit options are merged. */
export interface WorkerSettings {
  address: string;
  namespace: string;
  /** The profile read from Temporal's config file; the file's `default` profile (if any) when absent. */
  profile?: string;
  /** TLS, API key and gRPC metadata, when the profile or the variables give any. */
  connection?: WorkerConnectionOptions;
  auditDbPath?: string;
  auditUrl?: string;
  webhookUrl?: string;
  /** Plan files whose `routing` sends their notifications (see `DubanWorkerOptions.plans`). */
  plans?: string[];
  taskQueue?: string;
  workflowBundlePath?: string;
  registerSearchAttributes: boolean;
  /** Capacity; unset fields take `DEFAULT_WORKER_TUNING`'s. */
  tuning?: DubanWorkerTuning;
  /** Serve the runtime's Prometheus metrics on this `host:port`. */
  metricsAddress?: string;
  /** Trace client, workflow and activities to OTLP (set when an `OTEL_EXPORTER_OTLP_*ENDPOINT` variable is). */
  tracing?: boolean;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The connection the Temporal way, read exactly as the CLI's other commands read it
 * (`@temporalio/envconfig`): the profile (`profile`, else TEMPORAL_PROFILE, else `default`)
 * of the config file (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml), with
 * the TEMPORAL_* variables over it. An API key without TLS settings turns TLS on, as
 * envconfig does for every Temporal client.
 *
 * @throws DubanWorkerError `WORKER_CONFIG_INVALID` for a missing profile or an unreadable file.
 */
function readTemporalProfile(env: NodeJS.ProcessEnv, profile: string | undefined): { address?: string; namespace?: string; connection?: WorkerConnectionOptions } {
  // Blank variables count as unset, as for every other worker setting.
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const given = nonEmpty(value);
    if (given !== undefined) variables[name] = given;
  }
  let config: ReturnType<typeof loadClientConnectConfig>;
  try {
    config = loadClientConnectConfig({ ...(profile === undefined ? {} : { profile }), overrideEnvVars: variables });
  } catch (err) {
    const file = variables[ENV.configFile] ?? '~/.config/temporalio/temporal.toml';
    throw new DubanWorkerError(
      WorkerErrorCode.WORKER_CONFIG_INVALID,
      `Cannot read the Temporal connection profile ${JSON.stringify(profile ?? variables[ENV.profile] ?? 'default')} from ${file}: ${messageOf(err)}. ` +
        `Check --profile (or ${ENV.profile}) and ${ENV.configFile}.`,
      { details: { profile: profile ?? variables[ENV.profile] ?? 'default', configFile: file }, cause: err },
    );
  }
  const { address, tls, apiKey, metadata } = config.connectionOptions;
  const connection: WorkerConnectionOptions = {
    ...(tls === undefined ? {} : { tls }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(metadata === undefined || Object.keys(metadata).length === 0 ? {} : { metadata }),
  };
  return {
    ...(address === undefined ? {} : { address }),
    ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
    ...(Object.keys(connection).length === 0 ? {} : { connection }),
  };
}

/** The tuning variables that are set, as numbers; a value that is not a whole number stops the worker, naming it. */
function readTuning(env: NodeJS.ProcessEnv): DubanWorkerTuning | undefined {
  const fields = { cacheSize: 'maxCachedWorkflows', workflowTasks: 'maxConcurrentWorkflowTaskExecutions', activityTasks: 'maxConcurrentActivityTaskExecutions' } as const;
  const tuning: DubanWorkerTuning = {};
  for (const [name, field] of Object.entries(fields) as Array<[keyof typeof fields, (typeof fields)[keyof typeof fields]]>) {
    const given = nonEmpty(env[WORKER_ENV[name]]);
    if (given === undefined) continue;
    tuning[field] = wholeNumber(WORKER_ENV[name], given, name === 'cacheSize' ? 0 : 1);
  }
  return Object.keys(tuning).length === 0 ? undefined : tuning;
}

/**
 * `value` as a whole number of at least `min`.
 *
 * @throws DubanWorkerError `WORKER_CONFIG_INVALID` naming the setting.
 */
export function wholeNumber(setting: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new DubanWorkerError(WorkerErrorCode.WORKER_CONFIG_INVALID, `${setting} must be a whole number of at least ${min}, got ${JSON.stringify(value)}.`, {
      details: { variable: setting },
    });
  }
  return n;
}

/**
 * Reads {@link WORKER_ENV} from `env`; explicit `overrides` (e.g. CLI flags) win.
 *
 * @throws DubanWorkerError `WORKER_CONFIG_INVALID` for a value that cannot be used.
 */
export function readWorkerSettings(env: NodeJS.ProcessEnv, overrides: Partial<WorkerSettings> = {}): WorkerSettings {
  const register = nonEmpty(env[WORKER_ENV.registerSearchAttributes]);
  if (register !== undefined && !['0', '1', 'true', 'false'].includes(register)) {
    throw new DubanWorkerError(
      WorkerErrorCode.WORKER_CONFIG_INVALID,
      `${WORKER_ENV.registerSearchAttributes} must be 0 or 1, got ${JSON.stringify(register)}.`,
      { details: { variable: WORKER_ENV.registerSearchAttributes } },
    );
  }
  const profile = overrides.profile ?? nonEmpty(env[WORKER_ENV.profile]);
  const temporal = readTemporalProfile(env, profile);
  const settings: WorkerSettings = {
    address: temporal.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: temporal.namespace ?? DEFAULT_NAMESPACE,
    ...(profile === undefined ? {} : { profile }),
    ...(temporal.connection === undefined ? {} : { connection: temporal.connection }),
    registerSearchAttributes: register === undefined || register === '1' || register === 'true',
  };
  const tuning = readTuning(env);
  if (tuning !== undefined) settings.tuning = tuning;
  const metricsAddress = nonEmpty(env[WORKER_ENV.metricsAddress]);
  if (metricsAddress !== undefined) settings.metricsAddress = metricsAddress;
  if (tracingRequested(env)) settings.tracing = true;
  const optional = ['auditDbPath', 'auditUrl', 'webhookUrl', 'taskQueue', 'workflowBundlePath'] as const;
  for (const name of optional) {
    const value = nonEmpty(env[WORKER_ENV[name]]);
    if (value !== undefined) settings[name] = value;
  }
  const plans = (env[WORKER_ENV.plans] ?? '').split(delimiter).flatMap((file) => nonEmpty(file) ?? []);
  if (plans.length > 0) settings.plans = plans;
  for (const [name, value] of Object.entries(overrides) as Array<[keyof WorkerSettings, WorkerSettings[keyof WorkerSettings]]>) {
    if (value !== undefined) Object.assign(settings, { [name]: value });
  }
  // Flags win field by field over the variables.
  if (overrides.tuning !== undefined) settings.tuning = { ...tuning, ...overrides.tuning };
  // A file given as a flag beats a URL from the environment (the URL otherwise wins).
  if (overrides.auditDbPath !== undefined && overrides.auditUrl === undefined) delete settings.auditUrl;
  return settings;
}

/**
 * The plans of `DUBAN_PLANS` (or `--plan`), loaded and checked as `duban plan validate`
 * checks them: a plan with problems stops the worker at start, naming them.
 *
 * @throws DubanWorkerError `WORKER_CONFIG_INVALID` naming the file and its problems.
 */
async function loadRoutedPlans(files: readonly string[]): Promise<Plan[]> {
  const plans: Plan[] = [];
  for (const file of files) {
    try {
      plans.push(await loadPlanFile(resolve(file)));
    } catch (err) {
      throw new DubanWorkerError(WorkerErrorCode.WORKER_CONFIG_INVALID, `The plan ${file} in ${ENV.plans} cannot be routed: ${messageOf(err)}`, {
        details: { plan: file },
        cause: err,
      });
    }
  }
  return plans;
}

export interface WorkerMainOptions {
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Values that win over the environment (the CLI's flags). */
  overrides?: Partial<WorkerSettings>;
  /** Default: the Temporal Runtime's logger. */
  logger?: Logger;
  /** Signals that stop the worker gracefully. Default SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
  /** Called once the worker polls, e.g. for the CLI to print where it runs. */
  onReady?: (worker: DubanWorker, settings: WorkerSettings) => void;
}

/**
 * Runs the duban worker until a signal stops it: the body of `duban worker` and of
 * `bin/duban-worker.js`. Reads {@link WORKER_ENV}, registers the search attributes
 * (unless turned off), polls, and on SIGINT/SIGTERM drains running tasks and closes
 * the audit database before returning.
 */
export async function workerMain(options: WorkerMainOptions = {}): Promise<void> {
  const settings = readWorkerSettings(options.env ?? process.env, options.overrides);
  // Before anything takes the runtime: its metrics endpoint is set when it is installed.
  if (settings.metricsAddress !== undefined) installPrometheus(settings.metricsAddress, options.logger);
  const logger = options.logger ?? Runtime.instance().logger;
  const tracing = settings.tracing ? startTracing({}, options.env ?? process.env) : undefined;
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  // Before anything starts: a plan with problems stops the worker at once, naming them.
  const plans = await loadRoutedPlans(settings.plans ?? []);

  // A signal during start-up (bundling takes seconds) must still stop the process cleanly.
  let stopRequested = false;
  let dubanWorker: DubanWorker | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info('duban worker: stopping', { signal });
    stopRequested = true;
    void dubanWorker?.shutdown();
  };
  for (const signal of signals) process.on(signal, onSignal);

  let connection: NativeConnection | undefined;
  try {
    // The whole profile: address, TLS, API key and metadata (the namespace is the worker's).
    connection = await connectWorker(settings.address, settings.connection);

    if (settings.registerSearchAttributes) {
      try {
        const { added } = await ensureSearchAttributes(connection, settings.namespace);
        if (added.length > 0) logger.info('duban worker: registered search attributes', { namespace: settings.namespace, added });
      } catch (err) {
        // Without them the workflows fail when they upsert; say so, but a worker that
        // also serves tasks started without search attributes is still useful.
        if (err instanceof DubanWorkerError && err.code === WorkerErrorCode.SEARCH_ATTRIBUTE_TYPE_MISMATCH) throw err;
        logger.warn(`duban worker: ${messageOf(err)}`, { namespace: settings.namespace });
      }
    }

    dubanWorker = await createDubanWorker({
      connection,
      namespace: settings.namespace,
      logger,
      ...(settings.taskQueue === undefined ? {} : { taskQueue: settings.taskQueue }),
      ...(settings.auditDbPath === undefined ? {} : { auditDbPath: settings.auditDbPath }),
      ...(settings.auditUrl === undefined ? {} : { auditUrl: settings.auditUrl }),
      ...(settings.webhookUrl === undefined ? {} : { webhookUrl: settings.webhookUrl }),
      ...(plans.length === 0 ? {} : { plans }),
      ...(settings.workflowBundlePath === undefined ? {} : { workflowBundle: { codePath: settings.workflowBundlePath } }),
      ...(settings.tuning === undefined ? {} : { tuning: settings.tuning }),
      ...(tracing === undefined ? {} : { tracing }),
    });
    if (stopRequested) {
      await dubanWorker.shutdown();
      return;
    }
    const running = dubanWorker.run();
    logger.info('duban worker: polling', {
      address: settings.address,
      namespace: settings.namespace,
      // Whether TLS and an API key are in use; never the key or the certificates.
      tls: settings.connection?.tls ? 'on' : 'off',
      apiKey: settings.connection?.apiKey === undefined ? 'none' : 'set',
      taskQueue: dubanWorker.taskQueue,
      // The file, or the URL without its password.
      auditStore: 'location' in dubanWorker.auditStore ? dubanWorker.auditStore.location : 'injected',
      // How entries reach the disk (the SQLite store: its writer thread, WAL, synchronous=FULL).
      ...(dubanWorker.auditStore instanceof SqliteAuditStore ? { auditWrites: await dubanWorker.auditStore.durability() } : {}),
      webhook: settings.webhookUrl === undefined ? 'none (log only)' : redactUrl(settings.webhookUrl),
      routedPlans: plans.filter((plan) => plan.routing !== undefined).map((plan) => plan.id),
      tuning: { ...DEFAULT_WORKER_TUNING, ...settings.tuning },
      metrics: settings.metricsAddress === undefined ? 'off' : `http://${settings.metricsAddress}/metrics`,
      tracing: tracing === undefined ? 'off' : `OTLP (${tracing.serviceName})`,
    });
    options.onReady?.(dubanWorker, settings);
    await running;
    logger.info('duban worker: stopped');
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    // The worker closes its audit store; the connection is ours.
    await connection?.close().catch(() => undefined);
    // Spans still buffered go out before the process ends.
    await tracing?.shutdown().catch((err: unknown) => logger.warn(`duban worker: could not export the last spans: ${messageOf(err)}`));
  }
}
