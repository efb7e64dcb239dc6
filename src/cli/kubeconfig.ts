// `tinylet kubeconfig`: a kubeconfig for the agent's loopback HTTPS listener, with its bearer token and
// certificate, fetched over the Unix socket (so only root and the group tinylet can get one).
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { connect, type ConnectionOptions } from './client/connect.js';

export interface KubeconfigOptions extends ConnectionOptions {
  output?: string;
}

export async function kubeconfigCommand(opts: KubeconfigOptions): Promise<number> {
  const { client } = connect({ ...opts, kubeconfig: undefined });
  if (!client.endpoint.socketPath) throw new Error('tinylet kubeconfig talks to the agent over its Unix socket (--server unix:///path)');
  const info = await client.get<{ server: string; token: string; certificateAuthorityData: string; nodeName: string }>('/tinylet/v1/kubeconfig');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tinylet', cluster: { server: info.server, 'certificate-authority-data': info.certificateAuthorityData } }],
    users: [{ name: 'tinylet-admin', user: { token: info.token } }],
    contexts: [{ name: 'tinylet', context: { cluster: 'tinylet', user: 'tinylet-admin', namespace: 'default' } }],
    'current-context': 'tinylet',
    preferences: {},
  };
  const text = stringify(doc, { lineWidth: 0 });
  if (opts.output) {
    writeFileSync(opts.output, text, { mode: 0o600 });
    console.error(`kubeconfig written to ${opts.output} (use it with: kubectl --kubeconfig ${opts.output} get pods)`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
