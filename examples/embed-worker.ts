import { createServer } from 'node:http';
import { NativeConnection } from '@temporalio/worker';
import { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS, createDubanWorker, ensureSearchAttributes } from '@duban/worker';

/** An existing HTTP service that also runs the duban worker; `stop()` shuts both down. */
export async function startService(address = process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS, port = 8080) {
  const connection = await NativeConnection.connect({ address });
  await ensureSearchAttributes(connection, DEFAULT_NAMESPACE);
  const duban = await createDubanWorker({ connection, auditDbPath: process.env.DUBAN_AUDIT_DB ?? 'duban-audit.sqlite' });
  const running = duban.run();
  const server = createServer((_req, res) => res.end(`duban worker ${duban.worker.getState()}`)).listen(port);
  const stop = async () => {
    server.close();
    await duban.shutdown(); // lets running tasks finish, closes the audit database
    await running;
    await connection.close(); // the connection is the service's own
  };
  process.once('SIGTERM', () => void stop());
  return { server, stop };
}
