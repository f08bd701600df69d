// CI helper: one line per email in a folder of .eml files (the outbox) or per JSON line on
// standard input (simulate's output): who gets which email about which event, sorted, so two
// runs at different clocks can be compared with diff. Dates and ids of the run are left out.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function headers(eml) {
  const head = eml.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const out = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

const dir = process.argv[2];
const lines = [];
if (dir) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.eml'))) {
    const h = headers(readFileSync(join(dir, file), 'utf8'));
    lines.push(
      [file, h['to'] ?? '', h['bcc'] ?? '', h['x-pim-event-id'] ?? '', h['x-pim-notification'] ?? '', h['subject'] ?? ''].join('\t'),
    );
  }
} else {
  for (const line of readFileSync(0, 'utf8')
    .split('\n')
    .filter((l) => l.trim())) {
    const e = JSON.parse(line);
    lines.push([e.eventId, String(e.to).toLowerCase(), e.notification, e.subject ?? ''].join('\t'));
  }
}
process.stdout.write(lines.sort().join('\n') + '\n');
