import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/runtime/paths.js';
import { compileSeccomp, runtimeDefaultProfile, type SeccompProfile } from '../src/runtime/security/seccomp.js';

/*
 * agent/seccomp.c end to end without pause.c: a tiny launcher (built here in a temp dir) reads the
 * compiled lines from a file, calls tl_seccomp_load and execs the command, as the container launcher
 * does just before exec. Skipped when there is no C compiler or libseccomp-dev.
 */
const HARNESS = String.raw`
#include "seccomp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 3) return 125;
  FILE *f = fopen(argv[1], "r");
  char *lines[4096]; int n = 0; char buf[1024];
  while (f && n < 4096 && fgets(buf, sizeof buf, f)) { buf[strcspn(buf, "\n")] = 0; lines[n++] = strdup(buf); }
  if (geteuid() != 0) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); /* unprivileged: the kernel wants NNP */
  char err[512];
  if (tl_seccomp_load(lines, n, err, sizeof err) != 0) { fprintf(stderr, "seccomp: %s\n", err); return 125; }
  execvp(argv[2], argv + 2);
  perror("exec");
  return 126;
}`;

const dir = mkdtempSync(join(tmpdir(), 'tinylet-seccomp-e2e-'));
const harness = join(dir, 'sc-exec');
let built = false;
try {
  writeFileSync(join(dir, 'harness.c'), HARNESS);
  // -iquote, not -I: agent/seccomp.h must not shadow libseccomp's <seccomp.h>.
  execFileSync('cc', ['-O1', '-iquote', join(packageRoot, 'agent'), '-o', harness, join(dir, 'harness.c'), join(packageRoot, 'agent', 'seccomp.c'), '-lseccomp'], { stdio: 'ignore' });
  built = true;
} catch {
  built = false;
}

function run(lines: string[], cmd: string[]) {
  const file = join(dir, `lines-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = spawnSync(harness, [file, ...cmd], { encoding: 'utf8', cwd: dir });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.skipIf(!built)('seccomp filters loaded by agent/seccomp.c', () => {
  beforeAll(() => rmSync(join(dir, 'made'), { recursive: true, force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const caps = ['CAP_CHOWN', 'CAP_SETUID', 'CAP_SETGID', 'CAP_KILL'];

  it('RuntimeDefault runs ordinary programs and refuses unshare without CAP_SYS_ADMIN', () => {
    const lines = compileSeccomp(runtimeDefaultProfile(), caps);
    expect(run(lines, ['sh', '-c', 'mkdir made && ls -d made && (true & wait) && echo fine'])).toEqual({ status: 0, out: 'made\nfine\n' });
    const denied = run(lines, ['unshare', '--uts', 'true']);
    expect(denied.status).not.toBe(0);
    expect(denied.out).toMatch(/Operation not permitted/);
  });

  it('RuntimeDefault with CAP_SYS_ADMIN allows unshare (as root)', () => {
    if (process.getuid?.() !== 0) return;
    expect(run(compileSeccomp(runtimeDefaultProfile(), [...caps, 'CAP_SYS_ADMIN']), ['unshare', '--uts', 'true']).status).toBe(0);
  });

  it.skipIf(process.arch !== 'x64')('personality is allowed only with the listed values', () => {
    const lines = compileSeccomp(runtimeDefaultProfile(), caps);
    expect(run(lines, ['setarch', 'linux32', 'true']).status).toBe(0); // PER_LINUX32
    const r = run(lines, ['setarch', 'x86_64', '-R', 'true']); // ADDR_NO_RANDOMIZE: not listed
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/Operation not permitted/);
  });

  it('a Localhost-style profile denies mkdir with EPERM and leaves the rest alone', () => {
    const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] };
    const r = run(compileSeccomp(profile, []), ['sh', '-c', 'mkdir nope; echo rc=$?; touch file && echo touched']);
    expect(r.out).toMatch(/Operation not permitted/);
    expect(r.out).toMatch(/rc=1\ntouched/);
  });

  it('reports bad lines instead of loading a partial filter', () => {
    expect(run(['default allow', 'arch z80'], ['true'])).toEqual({ status: 125, out: 'seccomp: seccomp line 2: unknown architecture "z80"\n' });
  });
});
