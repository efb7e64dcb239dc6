import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const BUSYBOX = '/bin/busybox';

/**
 * A directory of `applet -> /bin/busybox` links, made once under the image dir. It is filled aside and
 * renamed into place, so agents or runs starting at the same moment never see half of it.
 */
export function ensureBusyboxApplets(imageDir: string): string {
  const dir = join(imageDir, 'busybox-applets');
  if (existsSync(dir)) return dir;
  mkdirSync(imageDir, { recursive: true });
  const tmp = mkdtempSync(join(imageDir, '.busybox-applets-'));
  // mkdtemp makes it 0700: containers running as another user must be able to exec through it.
  chmodSync(tmp, 0o755);
  for (const applet of execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    symlinkSync(BUSYBOX, join(tmp, applet));
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
