/**
 * Rendering: every email an event of each type causes in the generated tenant (through the
 * real rules and the snapshot directory) and the weekly digest with five top roles are
 * rendered once; the largest by rendered size (subject + HTML + text) is then rendered in a
 * loop for a fixed time.
 */
import { parseSnapshot } from '../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../shared/directory/snapshotDirectory.js';
import type { RenderedEmail } from '../shared/render/email.js';
import { renderDigest, renderNotification, type DigestModel } from '../shared/render/render.js';
import { EVENT_TYPES } from '../shared/events/schema.js';
import { decideRecipients } from '../shared/rules/recipients.js';
import { notificationModel } from '../shared/planning/planNotifications.js';
import { gatherRecipientInputs } from '../shared/planning/recipientInputs.js';
import type { GeneratedTenant } from './tenant.js';
import { generateEvents } from './events.js';

export interface RenderBenchResult {
  template: string;
  bytes: number;
  emailsPerSecond: number;
  renders: number;
  /** Rendered size of the largest email of each template, for the record. */
  bytesByTemplate: Record<string, number>;
}

const OPTIONS = { portalBaseUrl: 'https://portal.azure.com' };
const size = (e: RenderedEmail) => Buffer.byteLength(e.subject) + Buffer.byteLength(e.html) + Buffer.byteLength(e.text);

export async function runRenderBench(tenant: GeneratedTenant, options: { durationMs: number }): Promise<RenderBenchResult> {
  const directory = new SnapshotDirectory(parseSnapshot(tenant.data).snapshot, { clock: { now: () => new Date('2026-11-18T00:00:00Z') } });
  const candidates: Array<{ template: string; bytes: number; render: () => RenderedEmail }> = [];

  for (const event of generateEvents(tenant, EVENT_TYPES.length * 4, { seed: 7, prefix: 'render' })) {
    const inputs = await gatherRecipientInputs(event, directory);
    const decision = decideRecipients(inputs, { maxRecipients: 1000, model: 'seed-2019' });
    const seen = new Set<string>();
    for (const recipient of decision.recipients) {
      if (recipient.notification === 'weeklyDigest' || seen.has(recipient.notification)) continue;
      seen.add(recipient.notification);
      const model = notificationModel(event, inputs, recipient);
      const render = () => renderNotification(model, OPTIONS);
      candidates.push({ template: recipient.notification, bytes: size(render()), render });
    }
  }

  const topRoles = await directory.topDirectoryRoles(5);
  const digest: DigestModel = {
    tenantName: tenant.data.tenant.displayName,
    week: '2026-W47',
    weekStart: '2026-11-16T00:00:00.000Z',
    weekEnd: '2026-11-23T00:00:00.000Z',
    tiles: { usersActivated: 1234, usersMadePermanent: 12, roleAssignmentsInPim: 345, roleAssignmentsOutsidePim: 3 },
    previousTiles: { usersActivated: 1100, usersMadePermanent: 15, roleAssignmentsInPim: 300, roleAssignmentsOutsidePim: 0 },
    topRoles,
    recipientName: 'Alain Charon',
    reason: 'You received this weekly summary as a Global Administrator in Contoso (benchmark).',
  };
  if (topRoles.length < 5) throw new Error(`render benchmark: the tenant has ${topRoles.length} roles with holders, the digest needs 5`);
  const renderDigestEmail = () => renderDigest(digest, OPTIONS);
  candidates.push({ template: 'weeklyDigest (5 top roles)', bytes: size(renderDigestEmail()), render: renderDigestEmail });

  const bytesByTemplate: Record<string, number> = {};
  for (const c of candidates) bytesByTemplate[c.template] = Math.max(bytesByTemplate[c.template] ?? 0, c.bytes);
  const largest = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));

  for (let i = 0; i < 200; i++) largest.render(); // warm up the JIT
  let renders = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < options.durationMs) {
    for (let i = 0; i < 100; i++) largest.render();
    renders += 100;
    elapsed = performance.now() - t0;
  }
  return {
    template: largest.template,
    bytes: largest.bytes,
    emailsPerSecond: Math.round(renders / (elapsed / 1000)),
    renders,
    bytesByTemplate: Object.fromEntries(Object.entries(bytesByTemplate).sort((a, b) => b[1] - a[1])),
  };
}
