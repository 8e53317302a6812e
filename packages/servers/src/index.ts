/**
 * Finding and running the Temporal servers duban needs.
 *
 * @example
 * ```ts
 * import { resolveTemporalBinary, startDevServer } from '@duban/servers';
 *
 * // Resolves once the frontend answers GetSystemInfo, not merely once the port is open.
 * const server = await startDevServer({ dbFilename: '.duban/temporal.sqlite' });
 * console.log(`Temporal at ${server.address}, web UI at ${server.uiUrl}`);
 * await server.stop();
 * ```
 */
export {
  ALLOW_DOWNLOAD_ENV,
  PROJECT_TOOLS_DIR,
  ServerErrorCode,
  TEMPORAL_BINARIES,
  TemporalServerError,
  binaryVersion,
  resolveTemporalBinary,
  sdkExecutable,
} from './binaries';
export type { BinarySource, ResolveOptions, ResolvedBinary, SdkExecutable, TemporalBinaryKind } from './binaries';
export { freePort, startDevServer } from './dev-server';
export { portAnswers, waitUntilHealthy } from './health';
export type { HealthOutcome, WaitUntilHealthyOptions } from './health';
export type { DevServerOptions, DevServerSearchAttribute, RunningDevServer } from './dev-server';
