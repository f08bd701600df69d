/**
 * A fresh local ACS per test, closed after it (kept apart from fakeAcs.ts, which the
 * benchmark imports without vitest).
 */
import { afterEach } from 'vitest';
import { FakeAcs, type FakeAcsOptions } from './fakeAcs.js';

export function fakeAcsPerTest(): (options?: FakeAcsOptions) => Promise<FakeAcs> {
  const fakes: FakeAcs[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  return async (options = {}) => {
    const fake = await FakeAcs.start(options);
    fakes.push(fake);
    return fake;
  };
}
