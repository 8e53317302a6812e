/**
 * What a platform team watches the worker with, both optional:
 *
 * - Traces (OpenTelemetry, `@temporalio/interceptors-opentelemetry`): one trace from the
 *   client's call through the workflow to its activities, exported over OTLP/HTTP.
 *   `workerMain` turns them on when OpenTelemetry's own `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; embedders pass `startTracing()` to
 *   `createDubanWorker({ tracing })`. Clients continue the trace with
 *   `tracing.clientInterceptors` (or the package's `OpenTelemetryWorkflowClientInterceptor`).
 * - Metrics: the Temporal runtime's Prometheus endpoint (`/metrics`: pollers, slots,
 *   cache, latencies, failures), bound by `installPrometheus()` before anything connects.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import { Runtime, type WorkerInterceptors } from '@temporalio/worker';
import { ENV, messageOf } from '@duban/common';
import { DubanWorkerError, WorkerErrorCode } from './errors';

/**
 * The workflow-side interceptors, bundled into the workflow code when tracing is on (a
 * prebuilt bundle must be built with them: `bundleWorkflowCode({ ..., workflowInterceptorModules: [WORKFLOW_TRACING_MODULE] })`).
 */
export const WORKFLOW_TRACING_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** The service name spans carry when `OTEL_SERVICE_NAME` does not say otherwise. */
export const DEFAULT_SERVICE_NAME = 'duban-worker';

export interface TracingOptions {
  /**
   * The OTLP/HTTP collector, e.g. `http://otel-collector:4318` (spans go to `/v1/traces`
   * under it). Default: what the OpenTelemetry variables say (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
   * `OTEL_EXPORTER_OTLP_ENDPOINT`, read by the exporter), else `http://localhost:4318`.
   */
  endpoint?: string;
  /** Default `OTEL_SERVICE_NAME`, else {@link DEFAULT_SERVICE_NAME}. */
  serviceName?: string;
  /** Where spans go instead of the OTLP exporter (tests use an in-memory exporter). */
  spanProcessor?: SpanProcessor;
}

/** Tracing as the worker and its clients use it. */
export interface DubanTracing {
  readonly serviceName: string;
  /** For `Worker.create`: activity spans, and the workflow-side interceptors' module. */
  readonly workerInterceptors: WorkerInterceptors;
  /** For `Worker.create`: the sink that exports the spans workflow code makes. */
  readonly sinks: { exporter: ReturnType<typeof makeWorkflowExporter> };
  /** For a `Client` (the worker's task launcher, your `DubanClient`): starts and messages carry the trace. */
  readonly clientInterceptors: ClientInterceptors;
  /** Exports what is buffered and stops; call after the worker stopped. */
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider (W3C trace context) exporting to OTLP/HTTP, and returns the
 * interceptors and sink that carry one trace across client, workflow and activities.
 */
export function startTracing(options: TracingOptions = {}, env: NodeJS.ProcessEnv = process.env): DubanTracing {
  const serviceName = options.serviceName ?? env['OTEL_SERVICE_NAME'] ?? DEFAULT_SERVICE_NAME;
  const resource = new Resource({ 'service.name': serviceName });
  // Without an endpoint the exporter reads the OpenTelemetry variables itself.
  const exporter = () => new OTLPTraceExporter(options.endpoint === undefined ? {} : { url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` });
  const processor = options.spanProcessor ?? new BatchSpanProcessor(exporter());
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(processor);
  // Global: the interceptors take the tracer, the propagator (W3C trace context) and the
  // active span (async local storage) from the API.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return {
    serviceName,
    workerInterceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      workflowModules: [WORKFLOW_TRACING_MODULE],
    },
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Whether the environment asks for traces (an OTLP endpoint is set). */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  return [ENV.otlpEndpoint, ENV.otlpTracesEndpoint].some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * Installs the Temporal runtime with its Prometheus endpoint on `bindAddress`
 * (`host:port`; metrics at `/metrics`). Must run before anything in the process connects
 * to Temporal: the runtime is installed once per process.
 *
 * @throws DubanWorkerError `WORKER_CONFIG_INVALID` when the runtime is already installed or the address is not `host:port`.
 */
export function installPrometheus(bindAddress: string, logger?: Logger): void {
  if (!/^[^\s:]+:\d{1,5}$/.test(bindAddress) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(bindAddress)) {
    throw new DubanWorkerError(WorkerErrorCode.WORKER_CONFIG_INVALID, `${ENV.metricsAddress} must be host:port (e.g. 0.0.0.0:9464), got ${JSON.stringify(bindAddress)}.`, {
      details: { variable: ENV.metricsAddress },
    });
  }
  try {
    Runtime.install({ ...(logger ? { logger } : {}), telemetryOptions: { metrics: { prometheus: { bindAddress } } } });
  } catch (err) {
    throw new DubanWorkerError(
      WorkerErrorCode.WORKER_CONFIG_INVALID,
      `Cannot serve Prometheus metrics on ${bindAddress}: ${messageOf(err)}. The Temporal runtime is installed once per process: install it with the metrics endpoint before creating any connection.`,
      { details: { variable: ENV.metricsAddress }, cause: err },
    );
  }
}
