// The agent's `registries:` settings, and which URLs serve a registry host: mirrors first, then the
// registry itself, as containerd's hosts.toml and Docker's registry-mirrors / insecure-registries.
import { parseDuration } from '../../../kubelet/duration.js';
import { isObject } from '../isObject.js';

export interface RegistryHostConfig {
  /** Endpoint URLs ("http://127.0.0.1:5000") tried in order before the registry itself. */
  mirrors?: string[];
  /** Plain http allowed, and TLS not verified, for this host. */
  insecure?: boolean;
}

export interface RegistryConfig {
  /** Keyed by registry host as references name it: "docker.io", "127.0.0.1:5000", "[::1]:5000". */
  hosts: Record<string, RegistryHostConfig>;
  /** A docker config.json with `auths`; default $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  credentialsFile?: string;
  /** How many times a request that failed on the network, with 429 or with 5xx is tried again (default 2: 3 attempts). */
  retries?: number;
  /** Per request: how long to wait for the connection and then for each chunk of the answer (default 30 s). */
  timeoutMs?: number;
}

export const DEFAULT_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** One URL a pull may be served from. */
export interface RegistryEndpoint {
  /** Scheme, host and optional path prefix, no trailing slash: requests go to `${url}/v2/...`. */
  url: string;
  /** The registry host of the reference (the key of `hosts`), whatever URL serves it. */
  registryHost: string;
  mirror: boolean;
  /** TLS certificates of this endpoint are not verified. */
  insecure: boolean;
}

/** localhost, 127.0.0.0/8 and ::1, with or without a port: registries there are plain http, as Docker treats them. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

/** Docker Hub's API is not on docker.io itself (the name references use). */
function registryUrl(host: string, insecure: boolean): string {
  if (host === 'docker.io') return 'https://registry-1.docker.io';
  return `${insecure || isLoopbackHost(host) ? 'http' : 'https'}://${host}`;
}

/**
 * With TINYLET_REGISTRY_OFFLINE=1 only loopback endpoints are contacted (registries and mirrors on
 * 127.0.0.1, localhost, [::1]): the test suite sets it, so no test can reach a registry off the machine.
 */
export const OFFLINE_ENV = 'TINYLET_REGISTRY_OFFLINE';

/** Mirrors of the host in their order, then the registry: the order a pull tries them. */
export function registryEndpoints(registryHost: string, config: RegistryConfig): RegistryEndpoint[] {
  const all = allEndpoints(registryHost, config);
  return process.env[OFFLINE_ENV] === '1' ? all.filter((e) => isLoopbackHost(new URL(e.url).host)) : all;
}

function allEndpoints(registryHost: string, config: RegistryConfig): RegistryEndpoint[] {
  const own = config.hosts[registryHost] ?? {};
  const mirrors = (own.mirrors ?? []).map((m): RegistryEndpoint => {
    const url = normalizeEndpointUrl(m);
    // A mirror's certificate is skipped only when the mirror's own host is declared insecure.
    return { url, registryHost, mirror: true, insecure: config.hosts[new URL(url).host]?.insecure === true };
  });
  return [...mirrors, { url: registryUrl(registryHost, own.insecure === true), registryHost, mirror: false, insecure: own.insecure === true }];
}

/** "https://mirror.example/v2/" and "https://mirror.example" are the same endpoint. */
function normalizeEndpointUrl(raw: string): string {
  const u = new URL(raw);
  const path = u.pathname.replace(/\/+$/, '').replace(/\/v2$/, '');
  return `${u.protocol}//${u.host}${path}`;
}


function unknownFields(v: Record<string, unknown>, known: string[], where: string): void {
  for (const k of Object.keys(v)) if (!known.includes(k)) throw new Error(`${where}: unknown field "${k}" (known: ${known.join(', ')})`);
}

/**
 * Validates the YAML-decoded `registries:` object:
 * `{ hosts?: {HOST: {mirrors?: [url...], insecure?: bool}}, credentialsFile?, retries?, timeout?: "30s" | ms }`.
 * Errors name the field (`registries.hosts["x"].mirrors[0]: ...`), `source` being the prefix.
 */
export function parseRegistryConfig(raw: unknown, source: string): RegistryConfig {
  if (raw === null || raw === undefined) return { hosts: {} };
  if (!isObject(raw)) throw new Error(`${source}: must be a mapping (hosts, credentialsFile, retries, timeout)`);
  unknownFields(raw, ['hosts', 'credentialsFile', 'retries', 'timeout'], source);
  const cfg: RegistryConfig = { hosts: {} };
  if (raw.hosts !== undefined && raw.hosts !== null) {
    if (!isObject(raw.hosts)) throw new Error(`${source}.hosts: must be a mapping of registry host to settings`);
    for (const [host, v] of Object.entries(raw.hosts)) cfg.hosts[host] = parseHost(host, v, `${source}.hosts[${JSON.stringify(host)}]`);
  }
  if (raw.credentialsFile !== undefined) {
    if (typeof raw.credentialsFile !== 'string' || raw.credentialsFile === '') throw new Error(`${source}.credentialsFile: must be a file path`);
    cfg.credentialsFile = raw.credentialsFile;
  }
  if (raw.retries !== undefined) {
    if (typeof raw.retries !== 'number' || !Number.isInteger(raw.retries) || raw.retries < 0 || raw.retries > 20) {
      throw new Error(`${source}.retries: must be a whole number from 0 to 20 (how often a failed request is tried again)`);
    }
    cfg.retries = raw.retries;
  }
  if (raw.timeout !== undefined) {
    const ms = typeof raw.timeout === 'number' ? raw.timeout : typeof raw.timeout === 'string' ? parseDuration(raw.timeout, `${source}.timeout`) : NaN;
    if (!Number.isFinite(ms) || ms <= 0) throw new Error(`${source}.timeout: must be a positive duration ("30s", "1m") or milliseconds`);
    cfg.timeoutMs = ms;
  }
  return cfg;
}

function parseHost(host: string, v: unknown, where: string): RegistryHostConfig {
  // The key is what references name: a host with an optional port, never a URL.
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::\d+)?$/.test(host)) throw new Error(`${where}: must be a registry host such as "docker.io" or "127.0.0.1:5000" (no scheme, no path)`);
  if (v === null || v === undefined) return {};
  if (!isObject(v)) throw new Error(`${where}: must be a mapping (mirrors, insecure)`);
  unknownFields(v, ['mirrors', 'insecure'], where);
  const out: RegistryHostConfig = {};
  if (v.mirrors !== undefined) {
    if (!Array.isArray(v.mirrors)) throw new Error(`${where}.mirrors: must be a list of URLs`);
    out.mirrors = v.mirrors.map((m, i) => {
      let u: URL | undefined;
      try {
        u = typeof m === 'string' ? new URL(m) : undefined;
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) {
        throw new Error(`${where}.mirrors[${i}]: must be an http:// or https:// URL (got ${JSON.stringify(m)})`);
      }
      return m as string;
    });
  }
  if (v.insecure !== undefined) {
    if (typeof v.insecure !== 'boolean') throw new Error(`${where}.insecure: must be true or false`);
    out.insecure = v.insecure;
  }
  return out;
}
