/** A Graph or ARM endpoint that accepts the connection and never answers fails the call in time. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ArmApi } from '../../../shared/directory/arm/armClient.js';
import { GraphApi } from '../../../shared/directory/graph/graphClient.js';
import { fakeCredential } from '../../support/fakeGraph.js';

let server: Server;
let requests = 0;
beforeAll(async () => {
  // Reads the request and never responds: a hung connection.
  server = createServer(() => void requests++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Sends production URLs to the hanging server, keeping the caller's init (and its signal). */
const hanging = (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${url.pathname}${url.search}`, init);
};

test('a Graph request that never answers fails after the timeout instead of hanging the invocation', async () => {
  const graph = new GraphApi({
    baseUrl: 'https://graph.microsoft.com',
    credential: fakeCredential(),
    fetch: hanging,
    requestTimeoutMs: 200,
  });
  await expect(graph.get('/organization')).rejects.toThrow(/timeout|aborted/i);
  expect(requests).toBeGreaterThan(0);
});

test('an ARM request that never answers fails after the timeout', async () => {
  const arm = new ArmApi({
    baseUrl: 'https://management.azure.com',
    credential: fakeCredential(),
    fetch: hanging,
    requestTimeoutMs: 200,
    maxRetries: 0,
  });
  await expect(arm.get('/subscriptions/x/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01')).rejects.toThrow(
    /timeout|aborted/i,
  );
});
