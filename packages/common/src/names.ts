/**
 * Names shared by the client, the CLI, the worker and workflow code: task queue, workflow
 * types and IDs, the default server, environment variables and default paths. Written
 * once here; nothing else types them.
 */

/** The task queue the duban worker polls. */
export const DUBAN_TASK_QUEUE = 'duban';

/** Workflow type names, for code that must not import the workflow functions. */
export const TASK_WORKFLOW_TYPE = 'taskWorkflow';
export const CAMPAIGN_WORKFLOW_TYPE = 'campaignWorkflow';

/**
 * The one place a task's workflow ID is built. Deterministic, so starting the same task
 * twice addresses the same workflow (start it with the conflict policy `USE_EXISTING`).
 */
export function taskWorkflowId(planId: string, taskNumber: number): string {
  return `duban/${planId}/task-${taskNumber}`;
}

/** The one place a campaign's workflow ID is built: one campaign per plan id. */
export function campaignWorkflowId(planId: string): string {
  return `duban/${planId}/campaign`;
}

/** The embedded dev server (`duban dev`): what every client and worker uses when nothing else is configured. */
export const DEFAULT_TEMPORAL_HOST = '127.0.0.1';
export const DEFAULT_TEMPORAL_PORT = 7233;
export const DEFAULT_TEMPORAL_ADDRESS = `${DEFAULT_TEMPORAL_HOST}:${DEFAULT_TEMPORAL_PORT}`;
export const DEFAULT_NAMESPACE = 'default';
/** The dev server's web UI port. */
export const DEFAULT_UI_PORT = 8233;

/** Environment variables duban reads, by what they mean. */
export const ENV = {
  /** Temporal frontend `host:port` (Temporal's own variable). */
  address: 'TEMPORAL_ADDRESS',
  /** Temporal namespace (Temporal's own variable). */
  namespace: 'TEMPORAL_NAMESPACE',
  /** Temporal connection profile (Temporal's own variable). */
  profile: 'TEMPORAL_PROFILE',
  /** Temporal's file of connection profiles, TOML (Temporal's own variable; default ~/.config/temporalio/temporal.toml). */
  configFile: 'TEMPORAL_CONFIG_FILE',
  /** The task queue the worker polls, when not {@link DUBAN_TASK_QUEUE}. */
  taskQueue: 'DUBAN_TASK_QUEUE',
  /** The SQLite file of the audit trail. */
  auditDb: 'DUBAN_AUDIT_DB',
  /** The shared audit store, `postgres://user:password@host:5432/db`; wins over {@link ENV.auditDb}'s file when set. */
  auditUrl: 'DUBAN_AUDIT_URL',
  /** Where notifications are POSTed as JSON. */
  webhookUrl: 'DUBAN_WEBHOOK_URL',
  /**
   * Plan files whose `routing` the worker follows (their notifications go through their
   * channels), separated like PATH (`:`; `;` on Windows).
   */
  plans: 'DUBAN_PLANS',
  /** The web workspace's base URL: notices link to `<base>/plans/<planId>/tasks/<n>` when set. */
  workspaceUrl: 'DUBAN_WORKSPACE_URL',
  /**
   * Prefix of the variables that hold channel secrets: the secret a configuration names
   * `xihu-smtp` is `DUBAN_SECRET_XIHU_SMTP`, or the file named by `DUBAN_SECRET_XIHU_SMTP_FILE`.
   */
  secretPrefix: 'DUBAN_SECRET_',
  /** A prebuilt workflow bundle for the worker. */
  workflowBundle: 'DUBAN_WORKFLOW_BUNDLE',
  /** Set to 0 to skip registering duban's search attributes at worker start. */
  registerSearchAttributes: 'DUBAN_REGISTER_SEARCH_ATTRIBUTES',
  /** Workflows the worker keeps in memory between their tasks (`duban worker --cache-size`). */
  workerCacheSize: 'DUBAN_WORKER_CACHE_SIZE',
  /** Workflow tasks the worker runs at once (`duban worker --workflow-tasks`). */
  workerWorkflowTasks: 'DUBAN_WORKER_WORKFLOW_TASKS',
  /** Activities the worker runs at once (`duban worker --activity-tasks`). */
  workerActivityTasks: 'DUBAN_WORKER_ACTIVITY_TASKS',
  /** `host:port` of the worker's Prometheus endpoint (`/metrics`); none when unset. */
  metricsAddress: 'DUBAN_METRICS_ADDRESS',
  /** The OTLP/HTTP collector traces go to (OpenTelemetry's own variable); the worker traces when it (or the next) is set. */
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  /** The OTLP/HTTP traces URL (OpenTelemetry's own variable). */
  otlpTracesEndpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  /** The person a CLI command acts as (whose key signs) when `--as` is not given. */
  actingAs: 'DUBAN_AS',
  /** Where people's signing keys and a plan's public keyring live (default: `~/.config/duban/keys`). */
  keysDir: 'DUBAN_KEYS_DIR',
  /** The `temporal` CLI (dev server) binary. */
  temporalCli: 'DUBAN_TEMPORAL_CLI',
  /** The time-skipping test server binary. */
  temporalTestServer: 'DUBAN_TEMPORAL_TEST_SERVER',
  /** Set to 1 to let the Temporal SDK download a server it cannot find. */
  temporalDownload: 'DUBAN_TEMPORAL_DOWNLOAD',
  /** Set to 1 for debug logs in tests. */
  debug: 'DUBAN_DEBUG',
  /** The Chromium the browser tests drive (default Debian's `/usr/bin/chromium`). */
  chromium: 'DUBAN_CHROMIUM',
} as const;

/** Default paths, relative to the project (or working) directory. */
export const DEFAULT_PATHS = {
  /** Everything duban keeps locally. */
  home: '.duban',
  /** The audit trail's SQLite file. */
  auditDb: '.duban/audit.sqlite',
  /** The embedded dev server's SQLite file. */
  devServerDb: '.duban/temporal.sqlite',
  /** Where `scripts/setup.sh` installs the pinned Temporal servers. */
  toolsBin: '.duban/tools/venv/bin',
  /** `duban dev`'s notifications, the full object of each as a JSON line. */
  notificationsLog: '.duban/notifications.log',
  /** Where `duban simulate` writes each run (audit trail, ledger, report), one directory per run. */
  simulateRuns: '.duban/simulate',
  /** The web workspace's accounts, sessions and encrypted keystore (SQLite). */
  workspaceDb: '.duban/workspace.sqlite',
} as const;
