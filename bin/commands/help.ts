/**
 * What each command accepts, written once: the usage line its errors repeat, the summary the
 * command list shows, and the options `--help` explains. Exit statuses: docs/cli.md.
 */
export interface CommandHelp {
  usage: string;
  summary: string;
  options: Array<[flag: string, text: string]>;
  /** How many positional arguments the command takes (FILE for send); more is a usage error. */
  positionals?: number;
}

const HELP_OPTION: [string, string] = ['-h, --help', 'show this help and exit'];

export const HELP = {
  start: {
    usage: 'pim-notify start [--once] [--fire TIMER]...',
    summary: 'run the function app locally (Azurite, sample directory, outbox/) until stopped',
    options: [
      ['--once', 'stop when the queues are idle (and the timers given with --fire have run)'],
      ['--fire TIMER', 'run the timer function TIMER (e.g. weeklyDigest) now, after the queued events; repeatable'],
    ],
  },
  send: {
    usage: 'pim-notify send FILE [--allow-invalid]',
    summary: 'put the events of FILE (JSON lines or a JSON array) on the pim-events queue',
    options: [['--allow-invalid', 'send invalid entries too, as they are (to exercise the poison queue); exit status 2']],
    positionals: 1,
  },
  functions: {
    usage: 'pim-notify functions',
    summary: 'list the functions the app registers, as the host sees them',
    options: [],
  },
  simulate: {
    usage: 'pim-notify simulate --directory SNAPSHOT --events FILE [--out DIR]',
    summary: 'the emails each event would cause, one JSON line per email; sends nothing',
    options: [
      ['--directory SNAPSHOT', 'a directory snapshot (samples/contoso-directory.json, or one from export-directory)'],
      ['--events FILE', 'the events, JSON lines or a JSON array'],
      ['--out DIR', 'also write each email as an .eml file in DIR'],
    ],
  },
  digest: {
    usage: 'pim-notify digest --directory SNAPSHOT --activity FILE --week YYYY-Www [--out DIR]',
    summary: 'the weekly digest emails for one ISO week, one JSON line per recipient',
    options: [
      ['--directory SNAPSHOT', 'a directory snapshot'],
      ['--activity FILE', 'the events of the period, JSON lines or a JSON array'],
      ['--week YYYY-Www', 'the ISO week, e.g. 2026-W47'],
      ['--out DIR', 'also write each email as an .eml file in DIR'],
    ],
  },
  preview: {
    usage: 'pim-notify preview --out DIR [--no-png]',
    summary: 'every email rendered with sample data to .html and .png, with an index.html',
    options: [
      ['--out DIR', 'where to write the files'],
      ['--no-png', 'skip the PNGs (no browser needed)'],
    ],
  },
  'export-directory': {
    usage: 'pim-notify export-directory --out FILE [--subscription GUID]...',
    summary: 'a directory snapshot of a real tenant (Graph + ARM), for simulate',
    options: [
      ['--out FILE', 'where to write the snapshot (JSON)'],
      ['--subscription GUID', 'an Azure subscription to read role assignments from; repeatable (default: AZURE_SUBSCRIPTION_IDS)'],
    ],
  },
  redrive: {
    usage: 'pim-notify redrive [--dry-run] [--all]',
    summary: 're-queue messages from pim-events-poison that now pass validation',
    options: [
      ['--dry-run', 'print what would move, move nothing'],
      ['--all', 'move every message, valid or not (e.g. after an outage)'],
    ],
  },
  trail: {
    usage: 'pim-notify trail (--event ID | --request ID | --since ISO) [--json | --csv]',
    summary:
      'every email about an event, a PIM request or a time range, from the production tables: who, why, when accepted, the outcome and when',
    options: [
      ['--event ID', 'the emails of one event'],
      ['--request ID', 'the emails of a PIM request: its events, reminders, fallback and escalation'],
      ['--since ISO', 'the emails of every delivery written since then (e.g. 2026-12-01T00:00:00Z)'],
      ['--json', 'print the rows as JSON'],
      ['--csv', 'print the rows as CSV (RFC 4180)'],
    ],
  },
  doctor: {
    usage: 'pim-notify doctor [--json] [--send-test ADDRESS] [--settings FILE]',
    summary: 'check a deployment: each read the app will make, once, read-only, one line per check',
    options: [
      ['--json', 'print the checks as JSON: {"ok", "checks": [{"area", "name", "status", "detail", "fix"?}]}'],
      ['--send-test ADDRESS', 'also send one test email to ADDRESS through the app’s transport'],
      [
        '--settings FILE',
        'the settings: local.settings.json (the default) or `az functionapp config appsettings list -o json`; the environment wins',
      ],
    ],
  },
} as const satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof HELP;

/** The text `pim-notify COMMAND --help` prints. */
export function commandHelp(help: CommandHelp): string {
  const options = [...help.options, HELP_OPTION];
  const width = Math.max(...options.map(([flag]) => flag.length));
  return [
    `usage: ${help.usage}`,
    '',
    help.summary.charAt(0).toUpperCase() + help.summary.slice(1) + '.',
    '',
    'options:',
    ...options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
  ].join('\n');
}

/** The text `pim-notify --help` prints. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(HELP).map((n) => n.length));
  return [
    'usage: pim-notify <command> [options]',
    '',
    'commands:',
    ...Object.entries(HELP).map(([name, h]) => `  ${name.padEnd(width)}  ${h.summary}`),
    '',
    'options:',
    "  -h, --help     show this help; `pim-notify COMMAND --help` shows a command's",
    '  -v, --version  print the version',
    '',
  ].join('\n');
}
