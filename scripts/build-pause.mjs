// Builds agent/tinylet-pause from agent/*.c with the system C compiler,
// statically linked with libseccomp (run by `npm install`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const agent = join(root, 'agent');
const out = join(agent, 'tinylet-pause');
// Every agent/*.c is a translation unit of the one program (pause.c holds main).
const sources = readdirSync(agent).filter((f) => f.endsWith('.c')).sort().map((f) => join(agent, f));

// Rebuild when any agent/*.c or *.h (a header edit changes the binary too) is newer than the binary.
const inputs = readdirSync(agent).filter((f) => f.endsWith('.c') || f.endsWith('.h'));
const newest = Math.max(...inputs.map((f) => statSync(join(agent, f)).mtimeMs));
if (existsSync(out) && statSync(out).mtimeMs >= newest) process.exit(0);

const compiler = [process.env.CC, 'cc', 'gcc', 'clang'].find((c) => {
  if (!c) return false;
  try {
    execFileSync(c, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!compiler) {
  console.error('tinylet: no C compiler found to build agent/pause.c; install one with: apt-get install build-essential (Debian package gcc)');
  process.exit(1);
}

// Containers' seccomp filters are built with libseccomp; -static needs its archive, not just the .so.
// `-print-file-name` echoes the bare name back when the compiler cannot find the file.
const hasHeader = (() => {
  try {
    execFileSync(compiler, ['-E', '-x', 'c', '-'], { input: '#include <seccomp.h>\n', stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
})();
const archive = execFileSync(compiler, ['-print-file-name=libseccomp.a'], { encoding: 'utf8' }).trim();
if (!hasHeader || archive === 'libseccomp.a' || !existsSync(archive)) {
  console.error(
    `tinylet: libseccomp's ${hasHeader ? 'static library (libseccomp.a)' : 'header (seccomp.h)'} was not found to build agent/tinylet-pause; ` +
      'install it with: apt-get install libseccomp-dev',
  );
  process.exit(1);
}

// Static: no shared libc pages, so the pause process stays well under 1 MB resident.
// No -I agent: agent/seccomp.h would then shadow libseccomp's <seccomp.h>.
execFileSync(compiler, ['-Os', '-static', '-Wall', '-Wextra', '-o', out, ...sources, '-lseccomp'], { stdio: 'inherit' });
