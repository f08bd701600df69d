/**
 * `pim-notify doctor` on a healthy deployment (every check passes, exit 0) and on each broken
 * piece (a Graph permission missing, a query refused, Reader missing, ACS refusing the key, no
 * Event Grid subscription, a missing queue, a bad schedule): the line that names it, with its
 * fix, and exit 1.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DELIVERY_REPORTS_QUEUE } from '../../shared/queues/queueNames.js';
import { healthyDeployment, problems, useDoctorWorld, type DoctorWorld } from './doctorHarness.js';

const worldOf = useDoctorWorld();
let world: DoctorWorld;
beforeEach(() => {
  world = worldOf();
});

describe('pim-notify doctor', () => {
  it('passes every check of a healthy deployment, one line each, and exits 0', async () => {
    const { status, stdout } = await world.run();
    expect(problems(stdout)).toEqual([]);
    expect(status).toBe(0);
    for (const line of [
      /^ok {3}settings: settings: valid; DIRECTORY_SOURCE=graph, EMAIL_TRANSPORT=acs, 1 subscription\(s\)$/m,
      /^ok {3}timers: AUDIT_SCHEDULE: `0 \*\/5 \* \* \* \*`: next run 2026-11-23T06:05:00.000Z$/m,
      /^ok {3}storage: queue pim-events: exists and can be read/m,
      /^ok {3}graph: token: a token for https:\/\/graph.microsoft.com\/.default/m,
      /^ok {3}graph: organization: tenant Contoso \(7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37\)$/m,
      /^ok {3}graph: directory role holders: \d+ active or eligible Global Administrator\(s\)/m,
      /^ok {3}graph: PIM for Groups: \d+ role-assignable group\(s\)/m,
      /^ok {3}graph: audit log: /m,
      /^ok {3}graph: PIM request lists: /m,
      /^ok {3}graph: confirmer's request lists: the recent requests of directory, group, \/subscriptions\/0397ec91-6a5d-4e86-97eb-8b993698c132 read as the confirmer reads them$/m,
      /^ok {3}arm: Reader on \/subscriptions\/0397ec91-6a5d-4e86-97eb-8b993698c132: /m,
      /^ok {3}acs: endpoint: http:\/\/127.0.0.1:\d+\/ answered a status read and took the credential$/m,
      /^ok {3}acs: sender domain: DoNotReply@\S+: \S+ \(AzureManaged\) is linked to acs-pim$/m,
      /^ok {3}eventGrid: delivery reports: egst-acs-pim\/email-delivery-reports delivers Microsoft.Communication.EmailDeliveryReportReceived to devstoreaccount1\/pim-delivery-reports$/m,
    ])
      expect(stdout).toMatch(line);
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 warning\(s\), 0 failed: nothing blocks mailing$/);
    // Each read once by each reader that makes it (the request lists: the requests source and
    // the confirmer), through the app's own readers, and nothing sent.
    expect(world.graph.count(/\/auditLogs\/directoryAudits/)).toBe(1);
    expect(world.graph.count(/\/roleManagement\/directory\/roleAssignmentScheduleRequests/)).toBe(2);
    // A group's list is read by the source (each group it covers) and by the confirmer (one group).
    const groupLists = world.graph.requests.filter((r) => /\/privilegedAccess\/group\/eligibilityScheduleRequests/.test(r.url));
    expect(groupLists.length).toBeGreaterThan(0);
    for (const url of new Set(groupLists.map((r) => r.url))) {
      expect(url).toMatch(/\$filter=groupId eq '[0-9a-f-]{36}'/);
      expect(groupLists.filter((r) => r.url === url).length).toBeLessThanOrEqual(2);
    }
    expect(world.arm.count(/\/providers\/Microsoft\.Authorization\/roleEligibilityScheduleRequests/i)).toBe(2);
    expect(world.acs.deliveries).toHaveLength(0);
  });

  it('names the Graph application permission a refused read lacks, with the grant that fixes it', async () => {
    world.graph.inject({ match: /\/auditLogs\/directoryAudits/, status: 403, times: 1 });
    const { status, stdout } = await world.run();
    expect(status).toBe(1);
    expect(problems(stdout)).toEqual([
      expect.stringMatching(
        /^FAIL graph: audit log: permission missing \(AuditLog.Read.All\): GET \/v1.0\/auditLogs\/directoryAudits\?\$filter=.* \(403 Authorization_RequestDenied\)$/,
      ),
    ]);
    expect(stdout).toMatch(
      /fix: as a Privileged Role Administrator run `azd hooks run postprovision`.*appRoles\[\?value=='AuditLog.Read.All'/,
    );
  });

  it('says which permission a read the app goes on without lacks (PIM for Groups requests), as a warning', async () => {
    // The request lists are read inside $batch: the refusal is the inner response's.
    world.graph.inject({ match: /\/privilegedAccess\/group\/assignmentScheduleRequests/, status: 403, times: 1, inBatch: true });
    const { stdout } = await world.run();
    expect(problems(stdout)).toContainEqual(
      expect.stringMatching(
        /^WARN graph: PIM request lists: .*GET \/identityGovernance\/privilegedAccess\/group\/assignmentScheduleRequests\?\$filter=groupId eq .* \(403 Authorization_RequestDenied, in \$batch\) was refused, and the app goes on without it$/,
      ),
    );
    expect(stdout).toMatch(/appRoles\[\?value=='PrivilegedAssignmentSchedule.Read.AzureADGroup'/);
  });

  it('reports a query Graph refuses (400) as "query refused", naming the call; one the app works around as a warning', async () => {
    // Refused in the documented shape with $select: the app reads the plain list instead.
    world.graph.refuse = /\/roleManagement\/directory\/roleAssignmentScheduleRequests\?\$select=/;
    const worked = await world.run().finally(() => (world.graph.refuse = undefined));
    expect(worked.status).toBe(0);
    expect(problems(worked.stdout)).toContainEqual(
      expect.stringMatching(
        /^WARN graph: PIM request lists: .*GET \/roleManagement\/directory\/roleAssignmentScheduleRequests\?\$select=\S+ \(400 BadRequest, in \$batch\) was refused, and the app goes on without it$/,
      ),
    );
    // Refused in every shape: both readers that send it say so (the requests source and the confirmer).
    world.graph.refuse = /\/roleManagement\/directory\/roleAssignmentScheduleRequests(\?|$)/;
    const { status, stdout } = await world.run().finally(() => (world.graph.refuse = undefined));
    expect(status).toBe(1);
    expect(problems(stdout)).toEqual([
      expect.stringMatching(
        /^FAIL graph: PIM request lists: query refused: GET \/roleManagement\/directory\/roleAssignmentScheduleRequests\S* \(400 BadRequest, in \$batch\)$/,
      ),
      expect.stringMatching(
        /^FAIL graph: confirmer's request lists: query refused: GET \/roleManagement\/directory\/roleAssignmentScheduleRequests\S* \(400 BadRequest, in \$batch\)$/,
      ),
    ]);
  });

  it('names the subscription whose Reader role is missing, with the az command', async () => {
    world.arm.inject({
      match: /^\/subscriptions\/0397ec91[^/]*\/providers\/Microsoft\.Authorization\/roleAssignmentScheduleInstances/i,
      status: 403,
      times: 1,
    });
    const { status, stdout } = await world.run();
    expect(status).toBe(1);
    expect(problems(stdout)).toContainEqual(
      expect.stringMatching(
        /^FAIL arm: Reader on \/subscriptions\/0397ec91-6a5d-4e86-97eb-8b993698c132: permission missing \(Reader on \/subscriptions\/0397ec91-6a5d-4e86-97eb-8b993698c132\)/,
      ),
    );
    expect(stdout).toContain(
      'fix: az role assignment create --assignee-object-id $(azd env get-value AZURE_MANAGED_IDENTITY_PRINCIPAL_ID) --assignee-principal-type ServicePrincipal --role Reader --scope /subscriptions/0397ec91-6a5d-4e86-97eb-8b993698c132',
    );
  });

  it('fails when ACS refuses the credential', async () => {
    const { status, stdout } = await world.run([], { transport: world.transport(Buffer.alloc(32, 7).toString('base64')) });
    expect(status).toBe(1);
    expect(problems(stdout)).toEqual([
      expect.stringMatching(/^FAIL acs: endpoint: http:\/\/127.0.0.1:\d+\/ refused the credential \(401\)$/),
    ]);
    expect(stdout).toMatch(/fix: with ACS_ENDPOINT: give the identity "Communication and Email Service Owner"/);
  });

  it('fails when no Event Grid subscription brings the delivery reports to the queue', async () => {
    delete world.arm.deployment.systemTopic;
    const { status, stdout } = await world.run();
    expect(status).toBe(1);
    expect(problems(stdout)).toEqual([
      expect.stringMatching(
        /^FAIL eventGrid: delivery reports: no Event Grid subscription brings Microsoft.Communication.EmailDeliveryReportReceived from acs-pim to the queue pim-delivery-reports: .*no system topic on the resource$/,
      ),
    ]);
    expect(stdout).toMatch(
      /fix: azd provision \(infra\/modules\/eventgrid.bicep creates it\); if the provider is not registered: az provider register --namespace Microsoft.EventGrid/,
    );
    // A subscription to another queue is no subscription to ours.
    Object.assign(world.arm.deployment, healthyDeployment());
    world.arm.deployment.systemTopic!.subscriptions[0]!.queueName = 'elsewhere';
    expect((await world.run()).status).toBe(1);
  });

  it('fails when the sender domain is not linked to the ACS resource', async () => {
    world.arm.deployment.domains[0]!.linked = false;
    const { status, stdout } = await world.run();
    expect(status).toBe(1);
    expect(problems(stdout)).toEqual([expect.stringMatching(/^FAIL acs: sender domain: no email domain is linked to acs-pim/)]);
  });

  it('fails when a queue is missing, and only warns of a table the app will create', async () => {
    await world.queue(DELIVERY_REPORTS_QUEUE).delete();
    try {
      const { status, stdout } = await world.run([], { env: { DELIVERY_TABLE: 'DocNeverCreated' } });
      expect(status).toBe(1);
      expect(problems(stdout)).toEqual([
        'WARN storage: table DocNeverCreated: does not exist yet: the app creates it on first use (with Storage Table Data Contributor)',
        'FAIL storage: queue pim-delivery-reports: does not exist: nothing can be queued to it',
      ]);
      expect(stdout).toContain(
        'fix: azd provision (infra/main.bicep creates it), or az storage queue create --name pim-delivery-reports --account-name devstoreaccount1 --auth-mode login',
      );
    } finally {
      await world.queue(DELIVERY_REPORTS_QUEUE).createIfNotExists();
    }
  });

  it('fails on a schedule the host would refuse, naming the setting', async () => {
    const { status, stdout } = await world.run([], { env: { DIGEST_SCHEDULE: '0 0 8 * * Mon Tue' } });
    expect(status).toBe(1);
    expect(problems(stdout)).toEqual([
      expect.stringMatching(/^FAIL timers: DIGEST_SCHEDULE: `0 0 8 \* \* Mon Tue` is not a schedule the host accepts: /),
    ]);
    expect(stdout).toContain('fix: set DIGEST_SCHEDULE to a 6-field NCRONTAB expression, seconds first, in UTC (default `0 0 8 * * 1`)');
  });

  it('reports invalid settings as one failed check, not a crash', async () => {
    const { status, stdout } = await world.run([], { env: { AZURE_SUBSCRIPTION_IDS: 'not-a-guid' } });
    expect(status).toBe(1);
    expect(stdout.split('\n')[0]).toBe('FAIL settings: settings: AZURE_SUBSCRIPTION_IDS: must be a list of subscription GUIDs');
  });
});
