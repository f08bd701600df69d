/**
 * One Azurite for the whole test run (real storage, not mocks). Tests get its connection
 * string with inject('storageConnectionString') and isolate themselves by using
 * unique table and queue names (test/support/storage.ts).
 */
import type { TestProject } from 'vitest/node';
import { startAzurite, type AzuriteHandle } from '../dev/host/azurite.js';

let azurite: AzuriteHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide('storageConnectionString', azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    storageConnectionString: string;
  }
}
