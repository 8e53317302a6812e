import { Socket } from 'node:net';
import { Connection } from '@temporalio/client';
import { messageOf } from '@duban/common';

export interface WaitUntilHealthyOptions {
  /** How long to keep asking before giving up; default 60 s. */
  timeoutMs?: number;
  /** Pause between two attempts; default 200 ms. */
  intervalMs?: number;
  /**
   * Asked before every attempt: a reason to stop waiting (the server process exited,
   * say), or `undefined` to go on.
   */
  abandon?: () => string | undefined;
}

/** True when something accepts TCP connections at `host:port` within the timeout. */
export async function portAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = new Socket();
    const done = (answer: boolean) => {
      socket.destroy();
      resolveAnswer(answer);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

export type HealthOutcome = { healthy: true } | { healthy: false; reason: string };

/**
 * Waits until the Temporal frontend at `address` answers `GetSystemInfo`.
 *
 * Why not the open port: `temporal server start-dev` listens before its frontend is
 * ready, and on a busy machine answers "Frontend is not healthy yet" for seconds after
 * (seen as failed test files on a two-core machine). Clients that connect in that window
 * fail, so a started server is handed out only once this returns healthy.
 */
export async function waitUntilHealthy(address: string, options: WaitUntilHealthyOptions = {}): Promise<HealthOutcome> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const [host, port] = splitAddress(address);
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    const abandoned = options.abandon?.();
    if (abandoned !== undefined) return { healthy: false, reason: abandoned };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { healthy: false, reason: `not healthy within ${timeoutMs} ms (last answer: ${lastError})` };
    // A closed port is cheap to see; only an open one is worth a gRPC round trip.
    if (!(await portAnswers(host, port, Math.min(remaining, 500)))) lastError = 'the port is not open';
    else {
      try {
        await systemInfo(address, Math.min(remaining, 5_000));
        return { healthy: true };
      } catch (error) {
        lastError = messageOf(error);
      }
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, options.intervalMs ?? 200));
  }
}

async function systemInfo(address: string, timeoutMs: number): Promise<void> {
  // `Connection.connect` already asks GetSystemInfo; ask again on the open connection so
  // the answer that counts is explicit and does not depend on the SDK's connect behaviour.
  const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  try {
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

/** `host:port` (the host may be a bracketed IPv6 address) as host and port number. */
function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), Number(address.slice(colon + 1))];
}
