// The stock kubectl binaries the client suites drive, and a kubeconfig for a test agent: the
// document `tinylet kubeconfig` writes, from the same endpoint over the agent's socket.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KUBECTL, type TestAgent } from './agent.js';

/** kubectl 1.32 as the Google Cloud SDK installs it beside its dispatcher (absent: those suites skip). */
export const KUBECTL_132 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

export const KUBECTL_VERSIONS = [
  { version: '1.20', bin: KUBECTL },
  { version: '1.32', bin: KUBECTL_132 },
];

/** Writes `<dir>/<file>` for the agent's HTTPS listener with its admin token (or `token`); returns its path. */
export async function writeKubeconfig(t: TestAgent, dir: string, opts: { file?: string; token?: string } = {}): Promise<string> {
  const info = (await t.http('GET', '/tinylet/v1/kubeconfig')).json;
  const path = join(dir, opts.file ?? 'kubeconfig');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'tinylet', cluster: { server: info.server, 'certificate-authority-data': info.certificateAuthorityData } }],
      users: [{ name: 'tinylet-admin', user: { token: opts.token ?? info.token } }],
      contexts: [{ name: 'tinylet', context: { cluster: 'tinylet', user: 'tinylet-admin', namespace: 'default' } }],
      'current-context': 'tinylet',
    }),
    { mode: 0o600 },
  );
  return path;
}
