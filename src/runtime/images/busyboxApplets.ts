import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const BUSYBOX = '/bin/busybox';

/** A directory of `applet -> /bin/busybox` links, made once per agent state dir. */
export function ensureBusyboxApplets(stateDir: string): string {
  const dir = join(stateDir, 'images', 'busybox-applets');
  if (existsSync(dir) && readdirSync(dir).length > 0) return dir;
  mkdirSync(dir, { recursive: true });
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (!existsSync(join(dir, applet))) symlinkSync(BUSYBOX, join(dir, applet));
  }
  return dir;
}
