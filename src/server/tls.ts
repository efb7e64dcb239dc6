// The TCP listeners speak HTTPS: kubectl only sends a bearer token over TLS. A self-signed
// certificate is made once (openssl) and kept in the state dir; the kubeconfig from `tinylet
// kubeconfig` and every pod's service account ca.crt trust exactly that certificate. It names what
// clients connect to: the loopback names for the host, and, as the API server's certificate does in a
// cluster, the `kubernetes` Service's names and ClusterIP for in-cluster clients (client-go and the
// Python client connect to https://$KUBERNETES_SERVICE_HOST, kubectl's in-cluster config too) and the
// pod bridge's gateway address, where the pods' listener is.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { gatewayOf, ipToString, parseCidr } from '../runtime/network/cidr.js';

export interface ServingCert {
  cert: string;
  key: string;
}

/** Subject alternative names the certificate must carry. */
export interface ServingNames {
  dns: string[];
  ips: string[];
}

/**
 * The in-cluster names of the API (the API server's own alternate names): kubernetes,
 * kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.<domain>, the first IP of the
 * service range; and the pod gateway. A config that cannot be parsed adds nothing (the config check
 * reports it).
 */
export function inClusterNames(config: { serviceCIDR: string; clusterDomain: string; podCIDR: string }): ServingNames {
  const dns = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${config.clusterDomain}`];
  const ips: string[] = [];
  for (const ip of [() => ipToString(parseCidr(config.serviceCIDR).base + 1), () => gatewayOf(parseCidr(config.podCIDR))]) {
    try {
      ips.push(ip());
    } catch {
      /* an invalid range: no name from it */
    }
  }
  return { dns, ips };
}

/** Whether the certificate names every one of `names`. */
function coversAll(pem: string, names: ServingNames): boolean {
  try {
    const cert = new X509Certificate(pem);
    return names.dns.every((n) => cert.checkHost(n, { wildcards: false }) === n) && names.ips.every((ip) => cert.checkIP(ip) === ip);
  } catch {
    return false;
  }
}

/**
 * The serving certificate, made when missing. A kept certificate that lacks a name now needed (one
 * made before pods could reach the API, or another serviceCIDR) is made again with the same key and
 * subject: kubectl with a kubeconfig that trusts the old one still verifies the new one (Go takes the
 * old certificate as its issuer); OpenSSL-based clients (Python, Node) need the new file.
 */
export function loadOrCreateCert(stateDir: string, address: string, extra: ServingNames = { dns: [], ips: [] }): ServingCert {
  const dir = join(stateDir, 'pki');
  const certPath = join(dir, 'apiserver.crt');
  const keyPath = join(dir, 'apiserver.key');
  const names: ServingNames = { dns: ['localhost', ...extra.dns], ips: ['127.0.0.1', '::1', ...extra.ips] };
  if (address && address !== '0.0.0.0' && address !== '::') (isIP(address) ? names.ips : names.dns).push(address);
  const haveKey = existsSync(keyPath);
  if (!haveKey || !existsSync(certPath) || !coversAll(readFileSync(certPath, 'utf8'), names)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const san = [...new Set([...names.ips.map((ip) => `IP:${ip}`), ...names.dns.map((n) => `DNS:${n}`)])].join(',');
    const key = haveKey ? ['-key', keyPath] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath];
    execFileSync('openssl', [
      'req', '-x509', ...key, '-out', certPath, '-days', '3650', '-subj', '/CN=tinylet-apiserver',
      '-addext', `subjectAltName=${san}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    ], { stdio: 'pipe' });
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}
