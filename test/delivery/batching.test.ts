/**
 * EMAIL_BATCHING=shared renders the emails of one notification identically (no name in the
 * greeting, one reason line naming every way its recipients were reached), so that they can
 * travel as one message; per-person rendering keeps the name and the person's own reason.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseEventsText } from '../../dev/eventFile.js';
import { createDirectory } from '../../shared/composition/services.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { contentKey, batchedMessages } from '../../shared/delivery/batching.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';

describe('shared content for batching', () => {
  it('gives every recipient of one notification the same email, and one message per notification', async () => {
    const settings = loadSettings({});
    const directory = await createDirectory(settings);
    const events = parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events.map((e) => e.event);
    let checked = 0;
    for (const event of events) {
      const shared = await planNotifications(event, directory, settings, { personal: false });
      const personal = await planNotifications(event, directory, settings);
      expect(shared.emails.map((e) => e.recipient.address)).toEqual(personal.emails.map((e) => e.recipient.address));
      const kinds = new Set(shared.emails.map((e) => e.recipient.notification));
      const contents = new Set(shared.emails.map((e) => contentKey(e.email)));
      expect(contents.size).toBe(kinds.size);
      const items = shared.emails.map((e) => ({
        key: e.key,
        operationId: e.operationId,
        notification: e.recipient.notification,
        email: e.email,
      }));
      expect(batchedMessages(event.id, items, 50)).toHaveLength([...kinds].length);
      for (const e of shared.emails) expect(e.email.text).not.toMatch(/^Hello /m);
      if (personal.emails.some((e) => e.recipient.displayName))
        expect(personal.emails.some((e) => /^Hello /m.test(e.email.text))).toBe(true);
      if (shared.emails.length > 1) checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});
