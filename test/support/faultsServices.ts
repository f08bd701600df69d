/**
 * Services for the fault suite's runner (injected with setServicesForTesting): the production
 * table stores on the suite's own Azurite, the real ACS sender against the local ACS, and
 * wrappers that break things at chosen moments: a worker that dies right after a send, a
 * ledger write that never happens, a Graph transport that times out.
 */
import { createServices, type Services } from '../../shared/composition/services.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import type { FetchLike } from '../../shared/directory/graph/graphClient.js';
import { createAcsEmailSender } from '../../shared/transport/acsTransport.js';
import type { EmailSender } from '../../shared/email/email.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { type DeliveryLedger } from '../../shared/delivery/deliveryLedger.js';
import type { FakeAcs } from './fakeAcs.js';
import { uniqueTableName } from './storage.js';

export interface FaultServices extends Services {
  activityTable: string;
}

export async function faultServices(
  connectionString: string,
  parts: { directory: RoleDirectory; sender: EmailSender; wrapLedger?: (ledger: DeliveryLedger) => DeliveryLedger; env?: Record<string, string> },
): Promise<FaultServices> {
  const activityTable = uniqueTableName('FaultAct');
  const deliveryTable = uniqueTableName('FaultLed');
  const settings = loadSettings({
    AzureWebJobsStorage: connectionString,
    ACTIVITY_TABLE: activityTable,
    DELIVERY_TABLE: deliveryTable,
    RECIPIENT_RATE_TABLE: uniqueTableName('FaultRate'),
    // A crashed worker's claims are taken over after 1 s instead of 5 minutes.
    DELIVERY_LEASE_SECONDS: '1',
    ...parts.env,
  });
  const services = await createServices(settings, { directory: parts.directory, sender: parts.sender });
  return { ...services, ledger: parts.wrapLedger ? parts.wrapLedger(services.ledger) : services.ledger, activityTable };
}

/** The production ACS sender against the local ACS, with test-speed retries and polling; its log goes to `log`. */
export function acsSender(fake: FakeAcs, log: (line: string) => void, maxWaitMs = 2_000): EmailSender {
  return createAcsEmailSender(
    { ACS_CONNECTION_STRING: fake.connectionString(), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
    {
      clientOptions: { allowInsecureConnection: true, retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 } },
      pollIntervalMs: 10,
      maxWaitMs,
      log: (level, message) => log(`[acs ${level}] ${message}`),
    },
  );
}

/** The first `times` sends go out, then the worker "dies" before it can return the result. */
export function dieAfterSend(sender: EmailSender, times: number): EmailSender & { died: number } {
  const wrapper = {
    died: 0,
    async send(...args: Parameters<EmailSender['send']>) {
      const result = await sender.send(...args);
      if (wrapper.died < times) {
        wrapper.died++;
        throw new Error('worker died after the send, before recording it');
      }
      return result;
    },
  };
  return wrapper;
}

/**
 * The first `times` ledger writes after a send never happen (the process dies between the
 * send and the write): nothing is recorded, the claims stay as they were, fresh for the lease.
 */
export function loseLedgerWrites(times: number): { lost: number; wrap: (ledger: DeliveryLedger) => DeliveryLedger } {
  const state = {
    lost: 0,
    wrap: (ledger: DeliveryLedger): DeliveryLedger => ({
      claim: (...args) => ledger.claim(...args),
      release: (...args) => ledger.release(...args),
      async complete(...args) {
        if (state.lost < times) {
          state.lost++;
          throw new Error('worker died between the send and the ledger write');
        }
        return ledger.complete(...args);
      },
    }),
  };
  return state;
}

/** A transport whose first `times` requests time out (as fetch with an AbortSignal.timeout does). */
export function timingOutFetch(inner: FetchLike, times: number, afterMs = 30): FetchLike & { timedOut: number } {
  const wrapped = Object.assign(
    async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (wrapped.timedOut < times) {
        wrapped.timedOut++;
        await new Promise((r) => setTimeout(r, afterMs));
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      }
      return inner(input, init);
    },
    { timedOut: 0 },
  );
  return wrapped;
}
