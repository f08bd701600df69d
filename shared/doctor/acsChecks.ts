/**
 * ACS Email through the app's one delivery transport: the endpoint answers and takes the
 * credential (a status read of an operation id never sent: 404 is the healthy answer, and
 * nothing is sent), and, with `--send-test ADDRESS`, one email sent the way every email leaves.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../composition/services.js';
import type { Transport } from '../transport/transport.js';
import { failed, messageOf, passed, warned, type Check } from './check.js';

interface Probeable {
  probe(operationId: string): Promise<void>;
}

function probeable(transport: Transport): transport is Transport & Probeable {
  return typeof (transport as Partial<Probeable>).probe === 'function';
}

const ROLE_FIX =
  'with ACS_ENDPOINT: give the identity "Communication and Email Service Owner" on the Communication Services resource (infra/modules/rbac.bicep: azd provision); with ACS_CONNECTION_STRING: copy it again from the portal (Communication Services → Settings → Keys)';

export async function acsChecks(services: Services, sendTest: string | undefined): Promise<Check[]> {
  const { settings, transport } = services;
  if (settings.EMAIL_TRANSPORT !== 'acs') {
    const outbox = warned(
      'acs',
      'transport',
      `EMAIL_TRANSPORT=${settings.EMAIL_TRANSPORT}: emails are written as .eml files to ${settings.OUTBOX_DIR}/, nobody receives them`,
      'set EMAIL_TRANSPORT=acs and ACS_ENDPOINT (infra/main.bicep sets both)',
    );
    return sendTest ? [outbox, await sendOne(services, sendTest)] : [outbox];
  }
  const checks: Check[] = [];
  if (probeable(transport)) checks.push(await endpointCheck(transport, endpointOf(settings)));
  if (sendTest && checks.every((c) => c.status !== 'fail')) checks.push(await sendOne(services, sendTest));
  return checks;
}

/** The endpoint the transport talks to, for the lines (never the access key). */
export function endpointOf(settings: Services['settings']): string {
  if (settings.ACS_ENDPOINT) return settings.ACS_ENDPOINT;
  return /endpoint=([^;]+)/i.exec(settings.ACS_CONNECTION_STRING ?? '')?.[1] ?? '(no endpoint)';
}

async function endpointCheck(transport: Probeable, endpoint: string): Promise<Check> {
  try {
    await transport.probe(randomUUID());
    return passed('acs', 'endpoint', `${endpoint} answered a status read and took the credential`);
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403) return failed('acs', 'endpoint', `${endpoint} refused the credential (${status})`, ROLE_FIX);
    return failed(
      'acs',
      'endpoint',
      `${endpoint} did not answer: ${messageOf(e)}`,
      'check ACS_ENDPOINT: https://<name>.communication.azure.com (portal: Communication Services → Overview → Endpoint)',
    );
  }
}

async function sendOne(services: Services, address: string): Promise<Check> {
  const { settings, transport } = services;
  const operationId = randomUUID();
  try {
    const accepted = await transport.accept(
      {
        notification: 'doctorTest',
        from: { address: settings.EMAIL_SENDER_ADDRESS, displayName: settings.EMAIL_SENDER_NAME },
        to: [{ address }],
        bcc: [],
        subject: 'pim-notify doctor: test email',
        text: `This is the test email of pim-notify doctor, sent through ${settings.EMAIL_TRANSPORT} from ${settings.EMAIL_SENDER_ADDRESS}.`,
        html: `<p>This is the test email of <code>pim-notify doctor</code>, sent through ${settings.EMAIL_TRANSPORT} from ${settings.EMAIL_SENDER_ADDRESS}.</p>`,
      },
      { operationId, mayHaveBeenSent: false },
    );
    return passed(
      'acs',
      'test email',
      `accepted for ${address}: operation ${accepted.messageId}${settings.EMAIL_TRANSPORT === 'acs' ? ' (its delivery report follows through Event Grid)' : ''}`,
    );
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    return failed(
      'acs',
      'test email',
      `not accepted: ${messageOf(e)}`,
      status === 401 || status === 403
        ? ROLE_FIX
        : 'check EMAIL_SENDER_ADDRESS: its domain must be linked to the Communication Services resource (portal: Communication Services → Email → Domains)',
    );
  }
}
