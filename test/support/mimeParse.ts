/**
 * Just enough MIME reading for the tests (no mailparser here): split a message into its
 * headers and, for multipart/alternative, its parts with decoded bodies.
 */

export interface Part {
  headers: Map<string, string>;
  body: string;
}

export interface Message extends Part {
  boundary?: string;
  parts: Part[];
}

/** Headers are case-insensitive: keys are lower-cased; folded lines are unfolded. */
export function splitHeaders(raw: string): Part {
  const at = raw.indexOf('\r\n\r\n');
  const head = at === -1 ? raw : raw.slice(0, at);
  const body = at === -1 ? '' : raw.slice(at + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

export function parseMessage(eml: Buffer): Message {
  const top = splitHeaders(eml.toString('latin1'));
  const boundary = /boundary="?([^";]+)"?/.exec(top.headers.get('content-type') ?? '')?.[1];
  if (!boundary) return { ...top, parts: [] };
  const sections = top.body.split(`--${boundary}`);
  // sections[0] is the preamble; the last one starts with "--" (the close delimiter).
  const parts = sections.slice(1, -1).map((section) => {
    const part = splitHeaders(section.replace(/^\r\n/, '').replace(/\r\n$/, ''));
    return { headers: part.headers, body: decode(part.body, part.headers.get('content-transfer-encoding')) };
  });
  return { ...top, boundary, parts };
}

function decode(body: string, encoding: string | undefined): string {
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, 'latin1');
  return bytes.toString('utf8');
}

function decodeQuotedPrintable(body: string): Buffer {
  const soft = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0));
  }
  return Buffer.from(bytes);
}

/** An RFC 2047 encoded-word header value, decoded (Q or B, UTF-8). */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8'),
    );
}
