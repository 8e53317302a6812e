import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';

/** The standalone worker script, as operators run it. */
export const WORKER_BIN = join(dirname(require.resolve('@duban/worker/package.json')), 'bin', 'duban-worker.js');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node bin/duban-worker.js` with `env` added to the environment and resolves
 * once it logs that it polls (or rejects with its output if it exits first).
 */
export async function spawnWorker(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_BIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('duban worker: polling')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    });
  });
  await ready;
  return { child, output: () => output, exited };
}
