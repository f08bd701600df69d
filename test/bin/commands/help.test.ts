/** --help, -h, --version and wrong flags for every command, as docs/cli.md says. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { main } from '../../../bin/cli.js';
import { HELP } from '../../../bin/commands/help.js';
import { fromPackageRoot } from '../../../shared/packageRoot.js';
import { capture } from './support.js';

const NAMES = Object.keys(HELP) as Array<keyof typeof HELP>;

describe('pim-notify --help', () => {
  it.each(['--help', '-h', 'help'])('%s lists every command on stdout with exit 0', async (flag) => {
    const r = await capture(() => main([flag]));
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: pim-notify <command>/);
    for (const name of NAMES) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  // The command must answer without doing its work: send/redrive would need storage, start
  // would start Azurite, simulate would need its required options.
  describe.each(NAMES)('%s', (name) => {
    it.each(['--help', '-h', '--out x -h', '-h --not-a-flag'])('answers `%s` on stdout with exit 0', async (args) => {
      const r = await capture(() => main([name, ...args.split(' ')]));
      expect(r).toMatchObject({ status: 0, stderr: '' });
      expect(r.stdout.startsWith(`usage: ${HELP[name].usage}\n`)).toBe(true);
      for (const [flag] of HELP[name].options) expect(r.stdout).toContain(flag);
      expect(r.stdout).toContain('-h, --help');
    });

    it('exits 2 with the usage on stderr for a flag it does not know, doing nothing', async () => {
      const r = await capture(() => main([name, '--bogus-flag']));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`pim-notify ${name}: `);
      expect(r.stderr).toContain("'--bogus-flag'");
      expect(r.stderr).toContain(`usage: ${HELP[name].usage}`);
    });

    it('`pim-notify help NAME` prints the same help', async () => {
      expect((await capture(() => main(['help', name]))).stdout).toBe((await capture(() => main([name, '--help']))).stdout);
    });
  });

  it('takes -h after -- as an argument, not as a request for help', async () => {
    const r = await capture(() => main(['send', '--', '-h']));
    expect(r).toMatchObject({ status: 1, stdout: '' });
    expect(r.stderr).toMatch(/cannot read -h: ENOENT/);
  });

  it('exits 2 for a stray argument, a flag without its value, an unknown command or top-level flag', async () => {
    for (const argv of [
      ['simulate', 'extra.jsonl'],
      ['simulate', '--directory'],
      ['send', 'a', 'b'],
      ['nonsense'],
      ['--bogus'],
      [],
      ['help', 'nonsense'],
    ]) {
      const r = await capture(() => main(argv));
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stdout, argv.join(' ')).toBe('');
      expect(r.stderr, argv.join(' ')).toMatch(/usage: pim-notify/);
    }
  });

  it('keeps exit 1 for a missing required option', async () => {
    const r = await capture(() => main(['simulate', '--events', 'x.jsonl']));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--directory is required\nusage: pim-notify simulate/);
  });
});

describe('pim-notify --version', () => {
  it.each(['--version', '-v'])('%s prints the package version', async (flag) => {
    const { version } = JSON.parse(await readFile(fromPackageRoot('package.json'), 'utf8')) as { version: string };
    const r = await capture(() => main([flag]));
    expect(r).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });
});
