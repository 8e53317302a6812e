export interface PollOptions {
  /** Give up after this long and return the last value read. Default 30 s. */
  timeoutMs?: number;
  /** Wait between reads. Default 300 ms. */
  intervalMs?: number;
  /**
   * Read again when `read` throws, until the time is up (a task the campaign is still
   * starting is not found yet); otherwise the first error ends the wait.
   */
  tolerateErrors?: boolean;
}

/**
 * Polls `read` until `done` or the time is up, and returns the last value read: what the
 * dev server shows through visibility, boards and queries is eventually consistent, so
 * the test's own assertion on the value says what was expected.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, options: PollOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 300, tolerateErrors = false } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
    } catch (error) {
      if (!tolerateErrors || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
