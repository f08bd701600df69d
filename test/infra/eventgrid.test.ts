// ACS delivery reports reach the app through Event Grid → Storage Queue (infra/modules/eventgrid.bicep),
// checked as text (no Bicep CLI here): the right events, the queue the function reads, the
// topic's own identity with the narrowest role, and the hook in main.bicep.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DELIVERY_REPORTS_QUEUE } from '../../shared/queues/queueNames.js';
import { entriesOf, readBicep, resolve, resources, valueBracketAfter } from './bicep.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eventGrid = () => readBicep(path.join(ROOT, 'infra/modules/eventgrid.bicep'));
const main = () => readBicep(path.join(ROOT, 'infra/main.bicep'));

describe('Event Grid → storage queue for ACS delivery reports', () => {
  it('puts a system topic on the Communication Services resource', () => {
    const f = eventGrid();
    const topic = resources(f).find((r) => r.type === 'Microsoft.EventGrid/systemTopics');
    expect(topic, 'eventgrid.bicep must create a Microsoft.EventGrid/systemTopics').toBeDefined();
    expect(topic!.body).toMatch(/source:\s*communicationService\.id/);
    expect(topic!.body).toMatch(/topicType:\s*'Microsoft\.Communication\.CommunicationServices'/);
    expect(topic!.body, 'the topic delivers with its own identity').toMatch(/identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}/);
    const acs = resources(f).find((r) => r.symbol === 'communicationService');
    expect(acs?.existing).toBe(true);
  });

  it('subscribes only EmailDeliveryReportReceived, in the Event Grid schema, to the queue the function reads', () => {
    const f = eventGrid();
    const sub = resources(f).find((r) => r.type === 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
    expect(sub).toBeDefined();
    expect(sub!.body).toMatch(/includedEventTypes:\s*\[\s*'Microsoft\.Communication\.EmailDeliveryReportReceived'\s*\]/);
    expect(sub!.body).toMatch(/eventDeliverySchema:\s*'EventGridSchema'/);
    expect(sub!.body).toMatch(/endpointType:\s*'StorageQueue'/);
    expect(sub!.body).toMatch(/deliveryWithResourceIdentity:/);
    expect(sub!.body).toMatch(/queueName:\s*queueName\b/);

    const m = main();
    const open = valueBracketAfter(m, 'params', m.code.indexOf("module eventGrid 'modules/eventgrid.bicep'"));
    const queueEntry = entriesOf(m, open).find((e) => e.key === 'queueName');
    expect(queueEntry, 'main.bicep must hook modules/eventgrid.bicep with queueName').toBeDefined();
    expect(resolve(m, queueEntry!.value)).toEqual({ kind: 'literal', value: DELIVERY_REPORTS_QUEUE });
  });

  it("lets the topic's identity only add messages, on the app's storage account", () => {
    const f = eventGrid();
    const assignments = resources(f).filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(assignments).toHaveLength(1);
    const body = assignments[0]!.body;
    expect(body).toMatch(/scope:\s*storage\b/);
    expect(body).toMatch(/principalId:\s*topic\.identity\.principalId/);
    const role = /subscriptionResourceId\(\s*'Microsoft\.Authorization\/roleDefinitions'\s*,\s*(\w+)\s*\)/.exec(body)?.[1];
    expect(resolve(f, role!)).toEqual({ kind: 'literal', value: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a' }); // Storage Queue Data Message Sender
    expect(resources(f).find((r) => r.symbol === 'storage')?.existing).toBe(true);
  });

  it('creates the reports queue and its poison queue with the others', () => {
    const m = main();
    const open = valueBracketAfter(m, 'queueNames', m.code.indexOf("module storage 'modules/storage.bicep'"));
    const names = m.code
      .slice(open, m.code.indexOf(']', open))
      .split(/\s+/)
      .filter((w) => /^\w+$/.test(w))
      .map((v) => resolve(m, v));
    expect(names).toContainEqual({ kind: 'literal', value: DELIVERY_REPORTS_QUEUE });
    expect(names).toContainEqual({ kind: 'literal', value: `${DELIVERY_REPORTS_QUEUE}-poison` });
  });
});
