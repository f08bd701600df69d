/**
 * OpenTelemetry to Application Insights, loaded only when APPLICATIONINSIGHTS_CONNECTION_STRING
 * is set (entry.ts): the embedded defaults and the tests never load it, so their cold start
 * is unchanged. Dependencies it shows: ACS and storage through the Azure SDK's own tracing,
 * Graph and ARM through tracedFetch (composition/services.ts), each a child of the
 * invocation the host reports, so an operator sees why an email was slow or failed.
 */
import { context, propagation } from '@opentelemetry/api';
import type { TokenCredential } from '@azure/core-auth';

import type { PreInvocationContext } from '@azure/functions';

interface FunctionsApp {
  hook: { preInvocation(handler: (ctx: PreInvocationContext) => void): unknown };
}

let started = false;

export function telemetryStarted(): boolean {
  return started;
}

export async function startTelemetry(app: FunctionsApp, connectionString: string, credential?: TokenCredential): Promise<void> {
  if (started) return;
  let useAzureMonitor: typeof import('@azure/monitor-opentelemetry').useAzureMonitor;
  try {
    ({ useAzureMonitor } = await import('@azure/monitor-opentelemetry'));
  } catch {
    // Not in the deployment package by default: with its OpenTelemetry SDK it would take the
    // package past its 40 MiB budget (docs/deploy.md, "Telemetry"). The host's own telemetry
    // (requests, logs) still reaches Application Insights.
    console.warn('APPLICATIONINSIGHTS_CONNECTION_STRING is set but @azure/monitor-opentelemetry is not installed: Graph, ARM and ACS calls are not reported as dependencies. Add it to "dependencies" to turn them on (docs/deploy.md, "Telemetry").');
    return;
  }
  useAzureMonitor({
    // Application Insights has local auth off in Azure: the exporter signs in with the app's identity.
    azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) },
    instrumentationOptions: { azureSdk: { enabled: true }, http: { enabled: true } },
    // Few events, each worth seeing: keep every trace (host.json samples the host's own telemetry).
    samplingRatio: 1,
    tracesPerSecond: 0,
  });
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
  started = true;
}

export async function stopTelemetry(): Promise<void> {
  if (!started) return;
  const { shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  await shutdownAzureMonitor();
  started = false;
}
