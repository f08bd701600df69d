import { describe, expect, it } from 'vitest';
import { hostEnvironment, loadSettings, SETTINGS } from '../../shared/settings/settings.js';

describe('settings', () => {
  it('has a default for everything the embedded defaults need', () => {
    const s = loadSettings({});
    expect(s.DIRECTORY_SOURCE).toBe('snapshot');
    expect(s.EMAIL_TRANSPORT).toBe('outbox');
    expect(s.MAX_RECIPIENTS_PER_EVENT).toBe(1000);
    expect(s.RECIPIENT_MODEL).toBe('seed-2019');
    expect(s.DIGEST_OPT_OUT).toEqual([]);
  });

  it('fails at start-up naming every invalid setting, and never echoes a secret', () => {
    let message = '';
    try {
      loadSettings({
        MAX_RECIPIENTS_PER_EVENT: 'lots',
        DIGEST_OPT_OUT: 'not-an-address',
        EMAIL_TRANSPORT: 'smtp',
        ACS_CONNECTION_STRING: 'endpoint=x;accesskey=SECRET',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/MAX_RECIPIENTS_PER_EVENT: must be a number/);
    expect(message).toMatch(/DIGEST_OPT_OUT: must be a list of email addresses/);
    expect(message).toMatch(/EMAIL_TRANSPORT/);
    expect(message).not.toContain('SECRET');
  });

  it('RECIPIENT_MODEL offers both documented models and reads the former ADMINS_ACTIVE_ONLY one to one', () => {
    expect(loadSettings({ RECIPIENT_MODEL: 'microsoft-current' }).RECIPIENT_MODEL).toBe('microsoft-current');
    expect(loadSettings({ ADMINS_ACTIVE_ONLY: 'true' }).RECIPIENT_MODEL).toBe('microsoft-current');
    expect(loadSettings({ ADMINS_ACTIVE_ONLY: 'false' }).RECIPIENT_MODEL).toBe('seed-2019');
    expect(loadSettings({ ADMINS_ACTIVE_ONLY: 'true', RECIPIENT_MODEL: 'microsoft-current' }).RECIPIENT_MODEL).toBe('microsoft-current');
    expect(() => loadSettings({ ADMINS_ACTIVE_ONLY: 'true', RECIPIENT_MODEL: 'seed-2019' })).toThrow(
      /ADMINS_ACTIVE_ONLY=true contradicts RECIPIENT_MODEL=seed-2019/,
    );
    expect(() => loadSettings({ RECIPIENT_MODEL: 'active' })).toThrow(/RECIPIENT_MODEL: must be seed-2019 or microsoft-current/);
  });

  it('checks settings that only make sense together', () => {
    expect(() => loadSettings({ EMAIL_TRANSPORT: 'acs' })).toThrow(/ACS_ENDPOINT .* or ACS_CONNECTION_STRING/);
    expect(loadSettings({ EMAIL_TRANSPORT: 'acs', ACS_ENDPOINT: 'https://x.communication.azure.com/' }).ACS_ENDPOINT).toBe(
      'https://x.communication.azure.com',
    );
  });

  it('treats blank values as unset, and parses lists', () => {
    const s = loadSettings({ DIGEST_EXTRA_RECIPIENTS: ' a@contoso.com; b@contoso.com ,', TEMPLATES_DIR: '  ' });
    expect(s.DIGEST_EXTRA_RECIPIENTS).toEqual(['a@contoso.com', 'b@contoso.com']);
    expect(s.TEMPLATES_DIR).toBeUndefined();
  });

  it('gives a local host the default of every binding setting', () => {
    const env = hostEnvironment({ DIGEST_SCHEDULE: '' });
    expect(env['DIGEST_SCHEDULE']).toBe(SETTINGS.DIGEST_SCHEDULE.default);
    expect(hostEnvironment({ DIGEST_SCHEDULE: '0 0 9 * * 1' })['DIGEST_SCHEDULE']).toBe('0 0 9 * * 1');
  });
});
