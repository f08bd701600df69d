/**
 * `pim-notify doctor`'s other faces: `--help`, `--json` (the checks as data, exit status the
 * same), `--send-test` (one email through the app's transport, and its operation id), a
 * deployment still on the embedded defaults (warnings only: exit 0), and what the identity may
 * not read of the deployment itself (a warning, not a failure).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { capture } from '../bin/commands/support.js';
import { problems, useDoctorWorld, type DoctorWorld } from './doctorHarness.js';

const worldOf = useDoctorWorld();
let world: DoctorWorld;
beforeEach(() => {
  world = worldOf();
});

describe('pim-notify doctor', () => {
  it('--help says what it does and takes', async () => {
    const r = await capture(() => main(['doctor', '--help']));
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: pim-notify doctor \[--json\] \[--send-test ADDRESS\] \[--settings FILE\]\n\nCheck a deployment: /);
    expect(r.stdout).toContain('--send-test ADDRESS');
  });

  it('--json prints the checks as data, with the same exit status', async () => {
    const healthy = await world.run(['--json']);
    expect(healthy.status).toBe(0);
    const report = JSON.parse(healthy.stdout) as { ok: boolean; checks: Array<Record<string, unknown>> };
    expect(report.ok).toBe(true);
    expect(report.checks.length).toBeGreaterThan(20);
    for (const check of report.checks) {
      expect(Object.keys(check).sort()).toEqual(['area', 'detail', 'name', 'status']);
      expect(['settings', 'timers', 'storage', 'graph', 'arm', 'acs', 'eventGrid']).toContain(check['area']);
      expect(check['status']).toBe('pass');
    }

    world.graph.inject({ match: /\/roleManagement\/directory\/roleDefinitions/, status: 403, times: 1 });
    const broken = await world.run(['--json']);
    expect(broken.status).toBe(1);
    const failed = (JSON.parse(broken.stdout) as typeof report).checks.filter((c) => c['status'] !== 'pass');
    expect(failed).toEqual([
      {
        area: 'graph',
        name: 'directory role definitions',
        status: 'fail',
        detail: expect.stringMatching(
          /^permission missing \(RoleManagement.Read.Directory\): GET \/v1.0\/roleManagement\/directory\/roleDefinitions/,
        ),
        fix: expect.stringContaining("appRoles[?value=='RoleManagement.Read.Directory'"),
      },
    ]);
  });

  it('--send-test ADDRESS sends one email through the app’s transport and names its operation', async () => {
    const { status, stdout } = await world.run(['--send-test', 'megan@contoso.example']);
    expect(status).toBe(0);
    expect(world.acs.deliveries).toHaveLength(1);
    const [sent] = world.acs.deliveries;
    expect(sent!.message.recipients.to).toEqual([{ address: 'megan@contoso.example' }]);
    expect(sent!.message.senderAddress).toBe(world.env['EMAIL_SENDER_ADDRESS']);
    expect(stdout).toContain(
      `ok   acs: test email: accepted for megan@contoso.example: operation ${sent!.operationId} (its delivery report follows through Event Grid)`,
    );
  });

  it('on the embedded defaults (snapshot, outbox) warns that nothing real is read or sent, and exits 0', async () => {
    const { status, stdout } = await world.run([], { env: { DIRECTORY_SOURCE: 'snapshot', EMAIL_TRANSPORT: 'outbox' } });
    expect(status).toBe(0);
    expect(problems(stdout)).toEqual([
      expect.stringMatching(
        /^WARN graph: directory source: DIRECTORY_SOURCE=snapshot: recipients come from samples\/contoso-directory.json/,
      ),
      expect.stringMatching(
        /^WARN acs: transport: EMAIL_TRANSPORT=outbox: emails are written as .eml files to outbox\/, nobody receives them$/,
      ),
    ]);
    expect(world.graph.count()).toBe(0);
    expect(world.arm.count()).toBe(0);
  });

  it('warns, without failing, of what the identity may not read of the deployment itself', async () => {
    world.arm.inject({ match: /\/EmailServices\/[^/]+\/Domains\/[^/?]+\?/i, status: 403, times: 1 });
    world.arm.inject({ match: /\/providers\/Microsoft\.EventGrid\/systemTopics\?/i, status: 403, times: 1 });
    const { status, stdout } = await world.run();
    expect(status).toBe(0);
    expect(problems(stdout)).toEqual([
      expect.stringMatching(/^WARN acs: sender domain: the linked domain \S+ cannot be read \(403\): check \S+ in the portal$/),
      expect.stringMatching(/^WARN eventGrid: delivery reports: Event Grid cannot be read here \(403\)/),
    ]);
  });

  it('warns of a sender username the domain does not have, and of an unverified customer domain', async () => {
    world.arm.deployment.domains[0]!.usernames = ['alerts'];
    const first = await world.run();
    expect(problems(first.stdout)).toEqual([
      expect.stringMatching(/^WARN acs: sender domain: \S+ is linked, but has no sender username "donotreply" \(it has: alerts\)$/),
    ]);
    world.arm.deployment.domains[0] = {
      ...world.arm.deployment.domains[0]!,
      management: 'CustomerManaged',
      usernames: ['DoNotReply'],
      verification: { Domain: 'VerificationInProgress', SPF: 'NotStarted', DKIM: 'NotStarted', DKIM2: 'NotStarted' },
    };
    const second = await world.run();
    expect(second.status).toBe(1);
    expect(problems(second.stdout)).toEqual([
      expect.stringMatching(/^FAIL acs: sender domain: \S+ is linked but not verified \(Domain VerificationInProgress\)$/),
    ]);
  });

  it('--settings FILE reads the app settings as az lists them (the environment wins), or local.settings.json', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doctor-settings-'));
    try {
      const listed = path.join(dir, 'app-settings.json');
      await writeFile(listed, JSON.stringify([{ name: 'DIGEST_SCHEDULE', value: 'every monday', slotSetting: false }]));
      const fromList = await world.run(['--settings', listed]);
      expect(fromList.status).toBe(1);
      expect(problems(fromList.stdout)).toEqual([expect.stringMatching(/^FAIL timers: DIGEST_SCHEDULE: `every monday` is not a schedule/)]);
      const local = path.join(dir, 'local.settings.json');
      await writeFile(local, JSON.stringify({ IsEncrypted: false, Values: { HELD_BACK_SCHEDULE: '0 */7 * * * *' } }));
      expect((await world.run(['--settings', local])).stdout).toMatch(
        /^ok {3}timers: HELD_BACK_SCHEDULE: `0 \*\/7 \* \* \* \*`: next run /m,
      );
      const missing = await world.run(['--settings', path.join(dir, 'none.json')]);
      expect(missing).toMatchObject({ status: 1, stdout: '' });
      expect(missing.stderr).toMatch(/^pim-notify doctor: cannot read .*none.json: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
