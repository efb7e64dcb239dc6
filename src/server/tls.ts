// The TCP listener speaks HTTPS: kubectl only sends a bearer token over TLS. A self-signed
// certificate for the loopback names is made once (openssl) and kept in the state dir; the
// kubeconfig from `tinylet kubeconfig` trusts exactly that certificate.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface ServingCert {
  cert: string;
  key: string;
}

export function loadOrCreateCert(stateDir: string, address: string): ServingCert {
  const dir = join(stateDir, 'pki');
  const certPath = join(dir, 'apiserver.crt');
  const keyPath = join(dir, 'apiserver.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const names = new Set(['IP:127.0.0.1', 'IP:::1', 'DNS:localhost']);
    if (address && address !== '0.0.0.0' && address !== '::') names.add(isIP(address) ? `IP:${address}` : `DNS:${address}`);
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '3650', '-subj', '/CN=tinylet-apiserver',
      '-addext', `subjectAltName=${[...names].join(',')}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    ], { stdio: 'pipe' });
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}
