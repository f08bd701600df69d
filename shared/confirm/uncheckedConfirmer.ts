/**
 * The confirmer where there is nothing to confirm against: the embedded snapshot directory (a
 * file, with no requests and no live schedules) leaves events as they were, silently; with
 * CONFIRM_WITH_PIM=false on the Graph/ARM directory every event is mailed with a warning, so
 * that the risk stays visible in the logs.
 */
import type { PimEvent } from '../events/schema.js';
import type { Confirmation, PimConfirmer } from './pimConfirmer.js';

export class UncheckedConfirmer implements PimConfirmer {
  constructor(
    private readonly reason: string,
    private readonly warn: boolean,
  ) {}

  confirm(_event: PimEvent): Promise<Confirmation> {
    return Promise.resolve({ kind: 'unchecked', reason: this.reason, warn: this.warn });
  }
}
