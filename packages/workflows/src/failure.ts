/**
 * How workflow code refuses: a non-retryable `ApplicationFailure` whose `type` is a code
 * of `@duban/common`'s registry, so the client and the CLI see the same code (and its
 * kind) as every other duban error. Facts for callers go in the first detail.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ErrorCode } from '@duban/common';

export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw ApplicationFailure.create({ type: code, message, nonRetryable: true, details: details ? [details] : [] });
}
