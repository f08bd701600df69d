/** Helpers for tests that use the shared Azurite: unique names so tests never collide. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export function storageConnectionString(): string {
  return inject('storageConnectionString');
}

/** A table name unique to this test (letters and digits, starts with a letter). */
export function uniqueTableName(prefix = 'T'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** A queue name unique to this test (lower case, digits, dashes). */
export function uniqueQueueName(prefix = 'q'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
