/** The local Functions runner: load the app as the host would, describe it, run it. */
export { installCoreStandIn } from './coreStandIn.js';
export {
  loadFunctionApp,
  registeredFunctions,
  describeFunctions,
  type RegisteredFunction,
  type FunctionDescription,
  type QueueOutputBinding,
  type RetryPolicy,
} from './functionApp.js';
export { readHostJson, parseHostJson, parseTimeSpan, type HostJson, type QueuesSettings } from './hostJson.js';
export { nextOccurrences, parseSchedule, type Schedule } from './schedule.js';
export { startLocalHost, type IdleProgress, type LocalHost, type LocalHostOptions } from './localHost.js';
export type { HostStats } from './runtime.js';
