/**
 * Services for the fault suite's runner (injected with setServicesForTesting): the production
 * table stores on the suite's own Azurite, the real ACS transport against the local ACS, and
 * wrappers that break things at chosen moments: a worker that dies right before or right
 * after a send, a ledger write that never happens, a Graph transport that times out.
 */
import { RestError, type HttpClient } from '@azure/core-rest-pipeline';
import { createServices, type Services } from '../../shared/composition/services.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import type { FetchLike } from '../../shared/directory/graph/graphClient.js';
import { createAcsTransport, type AcsTransport } from '../../shared/transport/acsTransport.js';
import type { Acceptance, Transport } from '../../shared/transport/transport.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { type DeliveryLedger } from '../../shared/delivery/deliveryLedger.js';
import type { FakeAcs } from './fakeAcs.js';
import { uniqueTableName } from './storage.js';

export interface FaultServices extends Services {
  activityTable: string;
}

export async function faultServices(
  connectionString: string,
  parts: {
    directory: RoleDirectory;
    transport: Transport;
    wrapLedger?: (ledger: DeliveryLedger) => DeliveryLedger;
    env?: Record<string, string>;
  },
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
  const services = await createServices(settings, { directory: parts.directory, transport: parts.transport });
  return { ...services, ledger: parts.wrapLedger ? parts.wrapLedger(services.ledger) : services.ledger, activityTable };
}

/**
 * The production ACS transport against the local ACS, with test-speed retries; its log goes to
 * `log`. `maxRetries` is the client's own retries of a 500 or a network error; `httpClient`
 * stands between it and the local ACS (lostAnswers).
 */
export function acsTransport(
  fake: FakeAcs,
  log: (line: string) => void,
  options: { maxRetries?: number; httpClient?: HttpClient } = {},
): AcsTransport {
  return createAcsTransport(
    { ACS_CONNECTION_STRING: fake.connectionString(), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
    {
      clientOptions: {
        allowInsecureConnection: true,
        retryOptions: { maxRetries: options.maxRetries ?? 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
        ...(options.httpClient ? { httpClient: options.httpClient } : {}),
      },
      log: (level, message) => log(`[acs ${level}] ${message}`),
    },
  );
}

/**
 * The first `times` accepts (for which `when` holds) go out, then the worker "dies" before it
 * can return the acceptance: deliver() does not learn that the message was taken.
 */
export function dieAfterSend(
  transport: Transport,
  times: number,
  when: (acceptance: Acceptance) => boolean = () => true,
): Transport & { died: number } {
  const wrapper = {
    died: 0,
    maxRecipients: transport.maxRecipients,
    async accept(...args: Parameters<Transport['accept']>) {
      const result = await transport.accept(...args);
      if (wrapper.died < times && when(result)) {
        wrapper.died++;
        throw new Error('worker died after the send, before recording it');
      }
      return result;
    },
  };
  return wrapper;
}

/** The first `times` accepts never reach the transport: the worker dies after planning the message, before sending it. */
export function dieBeforeSend(transport: Transport, times: number): Transport & { died: number } {
  const wrapper = {
    died: 0,
    maxRecipients: transport.maxRecipients,
    async accept(...args: Parameters<Transport['accept']>) {
      if (wrapper.died < times) {
        wrapper.died++;
        throw new Error('worker died before the send');
      }
      return transport.accept(...args);
    },
  };
  return wrapper;
}

/** Every method passed on to `ledger` (a base for wrappers that break one of them). */
export function forwardingLedger(ledger: DeliveryLedger): DeliveryLedger {
  return {
    claim: (...args) => ledger.claim(...args),
    refused: (...args) => ledger.refused(...args),
    release: (...args) => ledger.release(...args),
    pending: (...args) => ledger.pending(...args),
    plan: (...args) => ledger.plan(...args),
    claimFresh: (...args) => ledger.claimFresh(...args),
    accepted: (...args) => ledger.accepted(...args),
    handBack: (...args) => ledger.handBack(...args),
    findMessage: (...args) => ledger.findMessage(...args),
    recordReport: (...args) => ledger.recordReport(...args),
    outcomes: (...args) => ledger.outcomes(...args),
  };
}

/**
 * The first `times` ledger writes after a send (the acceptances) never happen (the process dies
 * between the send and the write): nothing is recorded, the claims stay as they were, fresh for
 * the lease.
 */
export function loseLedgerWrites(times: number): { lost: number; wrap: (ledger: DeliveryLedger) => DeliveryLedger } {
  const state = {
    lost: 0,
    wrap: (ledger: DeliveryLedger): DeliveryLedger => ({
      ...forwardingLedger(ledger),
      async accepted(...args) {
        if (state.lost < times) {
          state.lost++;
          throw new Error('worker died between the send and the ledger write');
        }
        return ledger.accepted(...args);
      },
    }),
  };
  return state;
}

/**
 * An HTTP client for the ACS transport whose first `times` answers of 202 to a send are lost on
 * the way back (the connection resets after ACS took the message), so the sender cannot tell
 * whether it was accepted.
 */
export function lostAnswers(inner: HttpClient, times: number): HttpClient & { lost: number } {
  const wrapped = {
    lost: 0,
    async sendRequest(request: Parameters<HttpClient['sendRequest']>[0]) {
      const response = await inner.sendRequest(request);
      if (wrapped.lost < times && request.method === 'POST' && response.status === 202) {
        wrapped.lost++;
        // What the default HTTP client throws for a reset connection (the SDK's retry takes it as a network error).
        throw new RestError('socket hang up', { code: 'ECONNRESET', request });
      }
      return response;
    },
  };
  return wrapped;
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
