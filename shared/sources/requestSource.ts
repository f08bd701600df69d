/** Where the requests collector reads PIM schedule requests (Graph and ARM in production: pimRequestSource.ts). */
import type { ScheduleRequest } from './scheduleRequest.js';

export interface RequestSource {
  /**
   * Requests created at or after `since` (ISO), for every kind of access the source covers,
   * one array per page or list of the API that served them. `warn` hears, once per run, of a
   * kind of access that could not be read (the others are read all the same).
   */
  pages(since: string, warn?: (message: string) => void): AsyncIterable<ScheduleRequest[]>;
  /** How many HTTP requests the source has made (the benchmark's cost figure). */
  readonly requestCount?: number;
}
