// Builds agent/tinylet-pause from agent/pause.c with the system C compiler (run by `npm install`).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'agent', 'pause.c');
const out = join(root, 'agent', 'tinylet-pause');

if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) process.exit(0);

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
// Static: no shared libc pages, so the pause process stays well under 1 MB resident.
execFileSync(compiler, ['-Os', '-static', '-Wall', '-Wextra', '-o', out, src], { stdio: 'inherit' });
