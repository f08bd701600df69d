/**
 * OpenTelemetry to Application Insights, loaded only when APPLICATIONINSIGHTS_CONNECTION_STRING
 * is set (entry.ts): the embedded defaults and the tests never load it, so their cold start
 * is unchanged. Dependencies it shows: ACS, ARM and storage through the Azure SDK's own tracing
 * (@azure/core-tracing), Graph through tracedFetch (composition/services.ts), each a child of
 * the invocation the host reports, so an operator sees why an email was slow or failed.
 *
 * Built from the exporter and the trace SDK alone, not the @azure/monitor-opentelemetry
 * distro: the distro brings metrics, logs and a dozen instrumentations the app never uses,
 * and would double the deployment package past its budget (docs/deploy.md, "Telemetry").
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import type { TokenCredential } from '@azure/core-auth';
import type { PreInvocationContext } from '@azure/functions';
import type { AzureMonitorExporterOptions } from '@azure/monitor-opentelemetry-exporter';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';

interface FunctionsApp {
  hook: { preInvocation(handler: (ctx: PreInvocationContext) => void): unknown };
}

interface Provider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** Application Insights has local auth off in Azure: the exporter signs in with the app's identity. */
  credential?: TokenCredential;
  /** The cloud role name Application Insights shows (default: the Function App's name). */
  serviceName?: string;
  /** The exporter's HTTP options (tests trust their local ingestion endpoint's certificate with `tlsOptions`). */
  exporterOptions?: Omit<AzureMonitorExporterOptions, 'connectionString' | 'credential'>;
}

let provider: Provider | undefined;

/**
 * The Azure SDK's HTTP spans carry only the URL, which Application Insights would show whole
 * as the dependency's target: give them the host, so each service is one target (ACS, ARM,
 * storage) as Graph's spans are (tracedFetch.ts).
 */
const targetHost: SpanProcessor = {
  onStart(span) {
    const url = span.attributes['http.url'] ?? span.attributes['url.full'];
    if (span.kind !== SpanKind.CLIENT || typeof url !== 'string' || span.attributes['server.address'] !== undefined) return;
    try {
      span.setAttribute('server.address', new URL(url).hostname);
    } catch {
      // Not a URL: the exporter shows what there is.
    }
  },
  onEnd: () => {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

export function telemetryStarted(): boolean {
  return provider !== undefined;
}

export async function startTelemetry(app: FunctionsApp, connectionString: string, options: TelemetryOptions = {}): Promise<void> {
  if (provider) return;
  const [
    { AzureMonitorTraceExporter },
    { AlwaysOnSampler, BatchSpanProcessor, NodeTracerProvider },
    { resourceFromAttributes },
    coreTracing,
    { AzureSdkInstrumentation },
  ] = await Promise.all([
    import('@azure/monitor-opentelemetry-exporter'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@azure/core-tracing'),
    import('@azure/opentelemetry-instrumentation-azure-sdk'),
  ]);
  const exporter = new AzureMonitorTraceExporter({
    ...options.exporterOptions,
    connectionString,
    ...(options.credential ? { credential: options.credential } : {}),
  });
  const tracerProvider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? process.env['WEBSITE_SITE_NAME'] ?? 'pim-notify' }),
    // Few events, each worth seeing: keep every span (host.json samples the host's own telemetry).
    sampler: new AlwaysOnSampler(),
    spanProcessors: [targetHost, new BatchSpanProcessor(exporter)],
  });
  // The global tracer provider, AsyncLocalStorage context (a span's children follow it across
  // awaits) and the W3C trace-context propagator the host's traceparent is read with.
  tracerProvider.register();
  // The instrumentation would hook require() to hand @azure/core-tracing its OpenTelemetry
  // instrumenter, but this app imports ES modules, which never pass through require(): apply
  // its patch to the module itself. The SDK's state is one per process (shared by its ESM and
  // CommonJS builds), so every Azure SDK client (ACS, tables, queues) now makes spans.
  const instrumentation = new AzureSdkInstrumentation({ enabled: false });
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name === '@azure/core-tracing') definition.patch?.(coreTracing);
  }
  // Each invocation runs in the host's trace context, so its dependencies hang under its request.
  app.hook.preInvocation((ctx) => {
    const traceParent = ctx.invocationContext.traceContext?.traceParent;
    if (!traceParent) return;
    const carrier: Record<string, string> = { traceparent: traceParent };
    const traceState = ctx.invocationContext.traceContext?.traceState;
    if (traceState) carrier['tracestate'] = traceState;
    const parent = propagation.extract(context.active(), carrier);
    const handler = ctx.functionHandler;
    ctx.functionHandler = (...args: Parameters<typeof handler>) => context.with(parent, () => handler(...args));
  });
  provider = tracerProvider;
}

/** Sends what is buffered now (the batch processor otherwise sends every few seconds). */
export async function flushTelemetry(): Promise<void> {
  await provider?.forceFlush();
}

export async function stopTelemetry(): Promise<void> {
  if (!provider) return;
  const stopping = provider;
  provider = undefined;
  await stopping.shutdown();
  // So that a later start (tests) registers afresh.
  trace.disable();
  propagation.disable();
  context.disable();
}
