/**
 * `duban worker` (and the standalone `duban-worker`) connect with the whole Temporal
 * profile, read by `@temporalio/envconfig` as the CLI's other commands read it: address,
 * namespace, TLS and API key from a TOML profile file (TEMPORAL_CONFIG_FILE), chosen by
 * `--profile` or TEMPORAL_PROFILE.
 *
 * The dev server speaks plain gRPC, so it sits behind a TLS-terminating HTTP/2 proxy (a
 * throwaway certificate authority made by openssl): a worker that ignores the profile's TLS
 * settings cannot connect at all, and the proxy sees the API key of every call. The
 * profile's namespace is not `default`: the dev server registers it at start.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DUBAN_TASK_QUEUE, ENV, TASK_WORKFLOW_TYPE, taskWorkflowId } from '@duban/common';
import { startDevServer, type RunningDevServer } from '@duban/servers';
import { readWorkerSettings, WorkerErrorCode } from '@duban/worker';
import { taskStateQuery } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { debug, installRuntime, removeTemporaryDirectories, temporaryDirectory, workflowBundle } from '../harness';
import { cliEnv, repoRoot } from '../cli/run';
import { freshTaskNumber, taskInput } from '../workflows/fixtures';
import { WORKER_BIN } from './worker-process';

jest.setTimeout(300_000);

const NAMESPACE = 'duban-profile';
const PROFILE = 'duban-test';
const API_KEY = 'duban-test-api-key';
const SERVER_NAME = 'duban-test.internal';
const CLI_BIN = join(repoRoot, 'packages', 'cli', 'bin', 'duban.js');

let dir: string;
let server: RunningDevServer;
let proxy: http2.Http2SecureServer;
let upstream: http2.ClientHttp2Session;
let proxyAddress: string;
let configFile: string;
let bundlePath: string;
let client: Client;
let connection: Connection;
/** Every call the proxy forwarded: its gRPC method and its authorization header. */
const calls: Array<{ method: string; authorization: string | undefined }> = [];
const children: ChildProcess[] = [];

/** A certificate authority and a server certificate for SERVER_NAME signed by it (openssl). */
function makeCertificates(into: string): { ca: string; key: string; cert: string } {
  const at = (name: string) => join(into, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=duban test CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', `/CN=${SERVER_NAME}`);
  writeFileSync(at('server.ext'), `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('server.ext'));
  return { ca: at('ca.pem'), key: at('server.key'), cert: at('server.pem') };
}

/**
 * gRPC over TLS in front of the dev server's plain gRPC: each HTTP/2 stream is forwarded
 * as it is, with its trailers (where gRPC puts its status).
 */
async function startTlsProxy(target: string, tls: { key: string; cert: string }): Promise<string> {
  upstream = http2.connect(`http://${target}`);
  proxy = http2.createSecureServer({ key: readFileSync(tls.key), cert: readFileSync(tls.cert) });
  proxy.on('stream', (stream, headers) => {
    const authorization = headers['authorization'];
    calls.push({ method: String(headers[':path']).split('/').pop() ?? '', authorization: typeof authorization === 'string' ? authorization : undefined });
    const { ':scheme': _scheme, ':authority': _authority, ...forwarded } = headers;
    const request = upstream.request(forwarded);
    let trailers: http2.OutgoingHttpHeaders = {};
    request.on('response', (response) => {
      // A gRPC error may come as headers alone ("trailers-only"): pass it on the same way.
      if ('grpc-status' in response) stream.respond(response, { endStream: true });
      else stream.respond(response, { waitForTrailers: true });
    });
    request.on('trailers', (received) => (trailers = received));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    request.pipe(stream);
    stream.pipe(request);
    request.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('error', () => request.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('close', () => request.close(http2.constants.NGHTTP2_CANCEL));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return `127.0.0.1:${address.port}`;
}

/**
 * Spawns `node BIN ARGS…` with `env` over the CLI's environment; resolves once it says it
 * polls: `duban worker polling …` from the CLI, `duban worker: polling` in the standalone log.
 */
async function spawnUntilPolling(bin: string, args: string[], env: Record<string, string | undefined>): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not polling after 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (debug) process.stderr.write(chunk);
      if ((bin === CLI_BIN ? /duban worker polling .*\n/ : /duban worker: polling/).test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (code ${code}) before it polled:\n${output}`));
    });
  });
  return { child, output: () => output, exited };
}

/** Starts a task in the profile's namespace and waits for its state: only a worker polling there answers the query. */
async function taskPickedUp(planId: string): Promise<void> {
  const input = taskInput(Date.now(), { planId, taskNumber: freshTaskNumber() });
  const handle = await client.workflow.start<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
    taskQueue: DUBAN_TASK_QUEUE,
    workflowId: taskWorkflowId(input.planId, input.taskNumber),
    args: [input],
  });
  const state = await handle.query(taskStateQuery);
  expect(state).toMatchObject({ planId, taskNumber: input.taskNumber, status: 'assigned' });
}

beforeAll(async () => {
  installRuntime();
  dir = temporaryDirectory('duban-worker-profile-');
  const tls = makeCertificates(dir);
  server = await startDevServer({ uiPort: false, dbFilename: join(dir, 'temporal.sqlite'), namespace: NAMESPACE, log: debug ? 'inherit' : 'ignore' });
  proxyAddress = await startTlsProxy(server.address, tls);
  configFile = join(dir, 'temporal.toml');
  // A profile as an operator writes it for a TLS server with an API key (Temporal's TOML format).
  writeFileSync(
    configFile,
    [
      `[profile.${PROFILE}]`,
      `address = "${proxyAddress}"`,
      `namespace = "${NAMESPACE}"`,
      `api_key = "${API_KEY}"`,
      '',
      `[profile.${PROFILE}.tls]`,
      `server_name = "${SERVER_NAME}"`,
      `server_ca_cert_path = "${tls.ca}"`,
      '',
    ].join('\n'),
  );
  bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await workflowBundle()).code);
  // The test's own client talks to the dev server directly.
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: NAMESPACE });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await connection?.close();
  upstream?.close();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await server?.stop();
  removeTemporaryDirectories();
});

/** What a worker needs beside the connection: no bundling at start, its own audit file. */
function workerEnv(name: string): Record<string, string | undefined> {
  return {
    [ENV.configFile]: configFile,
    [ENV.workflowBundle]: bundlePath,
    [ENV.auditDb]: join(dir, `${name}.sqlite`),
    // Only the profile says where and how to connect.
    [ENV.address]: undefined,
    [ENV.namespace]: undefined,
    TEMPORAL_API_KEY: undefined,
  };
}

test('`duban --profile NAME worker` connects with the profile’s address, namespace, TLS and API key and picks up a task', async () => {
  calls.length = 0;
  const worker = await spawnUntilPolling(CLI_BIN, ['--profile', PROFILE, 'worker'], workerEnv('cli'));
  expect(worker.output()).toContain(`duban worker polling ${proxyAddress} (namespace ${NAMESPACE}, task queue ${DUBAN_TASK_QUEUE})`);
  await taskPickedUp('profile-cli');
  // Every call went through TLS (the proxy speaks nothing else) with the profile's API key.
  expect(calls.map((c) => c.method)).toEqual(expect.arrayContaining(['PollWorkflowTaskQueue', 'RespondWorkflowTaskCompleted']));
  expect(calls.filter((c) => c.authorization !== `Bearer ${API_KEY}`)).toEqual([]);
  worker.child.kill('SIGINT');
  expect(await worker.exited).toBe(0);
  expect(worker.output()).toContain('duban worker stopped.');
});

test('`duban worker` takes the profile from TEMPORAL_PROFILE, and so does the standalone duban-worker', async () => {
  calls.length = 0;
  const cli = await spawnUntilPolling(CLI_BIN, ['worker'], { ...workerEnv('env'), [ENV.profile]: PROFILE });
  expect(cli.output()).toContain(`duban worker polling ${proxyAddress} (namespace ${NAMESPACE}`);
  cli.child.kill('SIGINT');
  expect(await cli.exited).toBe(0);

  const standalone = await spawnUntilPolling(WORKER_BIN, [], { ...workerEnv('standalone'), [ENV.profile]: PROFILE });
  await taskPickedUp('profile-standalone');
  expect(calls.filter((c) => c.authorization !== `Bearer ${API_KEY}`)).toEqual([]);
  standalone.child.kill('SIGINT');
  expect(await standalone.exited).toBe(0);
});

describe('readWorkerSettings', () => {
  test('reads the whole profile, and the TEMPORAL_* variables win over it as in every Temporal tool', () => {
    const settings = readWorkerSettings({ [ENV.configFile]: configFile, [ENV.profile]: PROFILE });
    expect(settings).toMatchObject({ address: proxyAddress, namespace: NAMESPACE, profile: PROFILE, connection: { apiKey: API_KEY, tls: { serverNameOverride: SERVER_NAME } } });
    const overridden = readWorkerSettings({ [ENV.configFile]: configFile, [ENV.namespace]: 'other', TEMPORAL_API_KEY: 'other-key' }, { profile: PROFILE });
    expect(overridden).toMatchObject({ address: proxyAddress, namespace: 'other', connection: { apiKey: 'other-key' } });
  });

  test('a profile the file does not have is WORKER_CONFIG_INVALID naming the profile and the file', () => {
    expect(() => readWorkerSettings({ [ENV.configFile]: configFile }, { profile: 'prod' })).toThrow(
      expect.objectContaining({ code: WorkerErrorCode.WORKER_CONFIG_INVALID, details: { profile: 'prod', configFile } }),
    );
  });
});
