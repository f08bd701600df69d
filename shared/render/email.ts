/**
 * What rendering produces and planning addresses: one email for one person. Delivery
 * (delivery/deliver.ts) puts one or more of them into a transport Message (transport/transport.ts).
 */
export interface EmailAddress {
  address: string;
  displayName?: string;
}

export interface RenderedEmail {
  /** The template that produced it, e.g. `approvalRequest` or `weeklyDigest`. */
  notification: string;
  /** Already free of line breaks (header injection is impossible by construction). */
  subject: string;
  html: string;
  text: string;
}

/** One person's email, addressed: what a plan hands to delivery. */
export interface OutgoingEmail extends RenderedEmail {
  from: EmailAddress;
  to: EmailAddress;
  /** Extra headers (X-PIM-Event-Id and the like); values must be single-line. */
  headers?: Record<string, string>;
}
