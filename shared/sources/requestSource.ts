/** Where the requests collector reads PIM schedule requests (Graph and ARM in production: pimRequestSource.ts). */
import type { ScheduleRequest } from './scheduleRequest.js';

export interface RequestSource {
  /**
   * Requests created at or after `since` (ISO), for every kind of access the source covers,
   * one array per page of the API that served them.
   */
  pages(since: string): AsyncIterable<ScheduleRequest[]>;
  /** How many HTTP requests the source has made (the benchmark's cost figure). */
  readonly requestCount?: number;
}
