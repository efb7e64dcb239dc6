// scripts/install-deps.mjs, the step of `npm install` that installs the Debian packages tinylet
// needs. On this machine every package is there, so the cases with a missing one run a copy of the
// script with stand-ins for dpkg-query and apt-get on PATH: nothing is installed or removed for real.
import { execa } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tinylet-install-deps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A repo of one script, its kubectl already fetched (that step is scripts/install-kubectl.sh's).
const copy = join(dir, 'repo');
mkdirSync(join(copy, 'scripts'), { recursive: true });
mkdirSync(join(copy, '.cache', 'kubectl'), { recursive: true });
copyFileSync(join(repo, 'scripts', 'install-deps.mjs'), join(copy, 'scripts', 'install-deps.mjs'));
writeFileSync(join(copy, '.cache', 'kubectl', 'kubectl'), '');
// Readable by the unprivileged user of the not-root case.
chmodSync(dir, 0o755);

const bin = join(dir, 'bin');
const log = join(dir, 'calls.log');
mkdirSync(bin);
const stub = (name: string, body: string) => writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
// Lists every package asked about as installed, except those in $MISSING; logs its call.
stub('dpkg-query', `echo "dpkg-query" >> ${log}\nfor a in "$@"; do case "$a" in -*) ;; *) case " $MISSING " in *" $a "*) ;; *) echo "$a ii ";; esac;; esac; done`);
// Logs its arguments; fails with $APT_EXIT.
stub('apt-get', `echo "apt-get $*" >> ${log}\nexit \${APT_EXIT:-0}`);
for (const tool of ['sh', 'bash']) symlinkSync(`/bin/${tool}`, join(bin, tool));

async function installDeps(env: Record<string, string>, asNobody = false) {
  writeFileSync(log, '');
  chmodSync(log, 0o666);
  const cmd = [process.execPath, join(copy, 'scripts', 'install-deps.mjs')];
  const r = asNobody
    ? await execa('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...cmd], { reject: false, env: { PATH: bin, ...env }, extendEnv: false })
    : await execa(cmd[0]!, cmd.slice(1), { reject: false, env: { PATH: bin, ...env }, extendEnv: false });
  return { ...r, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

describe('npm install: the Debian packages', () => {
  it('with every package present: prints nothing, in well under a second (the real script, dpkg and repo)', async () => {
    const started = performance.now();
    const r = await execa(process.execPath, [join(repo, 'scripts', 'install-deps.mjs')], { reject: false });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.exitCode).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('as root: installs what is missing with apt-get, saying what and why', async () => {
    const r = await installDeps({ MISSING: 'busybox-static nginx-light' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('tinylet: missing Debian packages: busybox-static (the busybox image), nginx-light (the nginx image)');
    expect(r.stdout).toContain('tinylet: installing them: apt-get install -y --no-install-recommends busybox-static nginx-light  (TINYLET_SKIP_APT=1 skips this)');
    expect(r.stdout).toContain('tinylet: installed busybox-static nginx-light');
    expect(r.calls.filter((c) => c.startsWith('apt-get'))).toEqual(['apt-get -q install -y --no-install-recommends busybox-static nginx-light']);
  });

  it('when apt-get fails: updates the package lists once, retries, then names the command and goes on', async () => {
    const r = await installDeps({ MISSING: 'nftables', APT_EXIT: '100' });
    expect(r.exitCode).toBe(0);
    expect(r.calls.filter((c) => c.startsWith('apt-get'))).toEqual([
      'apt-get -q install -y --no-install-recommends nftables',
      'apt-get -q update',
    ]);
    expect(r.stdout).toContain('tinylet: apt-get failed (output above); run  apt-get install -y --no-install-recommends nftables  yourself, then npm install again');
  });

  it('not root: prints the one command to run and installs nothing', async () => {
    const r = await installDeps({ MISSING: 'libseccomp-dev' }, true);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('tinylet: not root, so not installing them: run  sudo apt-get install -y --no-install-recommends libseccomp-dev');
    expect(r.calls.filter((c) => c.startsWith('apt-get'))).toEqual([]);
  });

  it('TINYLET_SKIP_APT=1: checks nothing', async () => {
    const r = await installDeps({ MISSING: 'busybox-static', TINYLET_SKIP_APT: '1' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('tinylet: TINYLET_SKIP_APT=1: not checking the Debian packages tinylet needs');
    expect(r.calls).toEqual([]);
  });

  it('without dpkg and apt: names the packages to install and goes on', async () => {
    rmSync(join(bin, 'dpkg-query'));
    rmSync(join(bin, 'apt-get'));
    const r = await installDeps({});
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^tinylet: not a Debian\/Ubuntu system \(no dpkg\/apt\): install these or their equivalents yourself: util-linux .*busybox-static nginx-light build-essential libseccomp-dev/);
  });
});
