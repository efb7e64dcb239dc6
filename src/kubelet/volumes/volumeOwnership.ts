// fsGroup on the kubelet's own read-only volumes (configMap, secret, downwardAPI, projected), as
// SetVolumeOwnership does it (pkg/volume/volume_linux.go): every entry is group-owned by the
// fsGroup; files get r for the group (0440 added to their mode, readonly), directories r-x and
// setgid (02550 added); symlinks only change group.
import { chmodSync, lchownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

export function setVolumeOwnership(dir: string, fsGroup: number): void {
  const visit = (path: string) => {
    const st = lstatSync(path);
    lchownSync(path, -1, fsGroup);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      chmodSync(path, (st.mode & 0o7777) | RO_MASK | EXEC_MASK | SETGID);
      for (const name of readdirSync(path)) visit(join(path, name));
    } else chmodSync(path, (st.mode & 0o7777) | RO_MASK);
  };
  visit(dir);
}
