// The workshop VM is tested, not hoped for: the Vagrantfile is valid for Debian's vagrant, and its
// provisioning is scripts/provision.sh, the script .ci/run runs on the CI machine before the tests.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const hasVagrant = spawnSync('sh', ['-c', 'command -v vagrant'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'tinylet-vagrant-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `vagrant validate` of the Vagrantfile in `cwd`, its .vagrant dir and vagrant home kept out of the repo and ~. */
function validate(cwd: string) {
  // --ignore-provider: no VirtualBox here (Debian 12 does not package it); the rest is validated,
  // the shell provisioner's script path included.
  return execa('vagrant', ['validate', '--ignore-provider'], {
    reject: false,
    env: { VAGRANT_CWD: cwd, VAGRANT_DOTFILE_PATH: join(dir, 'dotfile'), VAGRANT_HOME: join(dir, 'home') },
  });
}

describe('the Vagrantfile', () => {
  it('provisions with scripts/provision.sh, which .ci/run runs too', () => {
    expect(readFileSync(join(repo, 'Vagrantfile'), 'utf8')).toMatch(/config\.vm\.provision "shell", path: "scripts\/provision\.sh"/);
    expect(readFileSync(join(repo, '.ci', 'run'), 'utf8')).toMatch(/^bash scripts\/provision\.sh$/m);
  });

  it('provision.sh on a machine with Node 20+ keeps its Node and only checks the Debian packages', async () => {
    const r = await execa('bash', [join(repo, 'scripts', 'provision.sh')], { reject: false });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/installing Node\.js/);
  });

  it.skipIf(!hasVagrant)(`passes vagrant validate${hasVagrant ? '' : " (skipped: Debian's vagrant package is not installed; .ci/run installs it)"}`, async () => {
    const r = await validate(repo);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Vagrantfile validated successfully.');
  });

  it.skipIf(!hasVagrant)('vagrant validate would catch a provision script that is not there', async () => {
    const copy = join(dir, 'copy');
    mkdirSync(copy);
    copyFileSync(join(repo, 'Vagrantfile'), join(copy, 'Vagrantfile'));
    const r = await validate(copy);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/`path` for shell provisioner does not exist on the host system: .*scripts\/provision\.sh/);
  });
});
