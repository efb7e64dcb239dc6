// Registry credentials from docker config.json files (what `docker login` writes, and what a pod's
// imagePullSecrets of type kubernetes.io/dockerconfigjson hold): `auths[key]` with `auth`
// (base64 "user:pass"), or `username`/`password`, or an `identitytoken` (an OAuth2 refresh token).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isObject } from '../isObject.js';

export interface DockerCredentials {
  /** The registry host the entry is for, normalised as references name it ("docker.io", "127.0.0.1:5000"). */
  host: string;
  username?: string;
  password?: string;
  /** Exchanged at the token endpoint for access tokens (grant_type=refresh_token). */
  identityToken?: string;
  /** Where the entry came from, for error messages ("/root/.docker/config.json"). */
  source: string;
}

/** A credentials file or secret that cannot be used: the message names it and the entry at fault. */
export class CredentialsError extends Error {}

/** Docker Hub's names, all of which mean the registry references call docker.io. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** "https://index.docker.io/v1/" → docker.io; "http://127.0.0.1:5000/v2" → 127.0.0.1:5000. */
export function normalizeRegistryKey(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}


/** The `auths` entries of a decoded docker config.json (or of a legacy .dockercfg, which is `auths` alone). */
export function credentialsFromDockerConfigJson(json: unknown, source = 'docker config'): DockerCredentials[] {
  if (!isObject(json)) throw new CredentialsError(`${source}: must be a JSON object with "auths"`);
  // A legacy .dockercfg is the `auths` object alone; a config.json without `auths` has nothing for us.
  const legacy = json.auths === undefined && Object.keys(json).length > 0 && Object.values(json).every((e) => isObject(e) && 'auth' in e);
  const auths = legacy ? json : json.auths;
  if (auths === undefined) return [];
  if (!isObject(auths)) throw new CredentialsError(`${source}: "auths" must be an object of registry to credentials`);
  const out: DockerCredentials[] = [];
  for (const [key, entry] of Object.entries(auths)) {
    const where = `${source}: auths[${JSON.stringify(key)}]`;
    if (!isObject(entry)) throw new CredentialsError(`${where}: must be an object (auth, or username and password)`);
    const creds: DockerCredentials = { host: normalizeRegistryKey(key), source };
    for (const f of ['auth', 'username', 'password', 'identitytoken'] as const) {
      if (entry[f] !== undefined && typeof entry[f] !== 'string') throw new CredentialsError(`${where}.${f}: must be a string`);
    }
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (!/^[A-Za-z0-9+/=\s]+$/.test(entry.auth) || colon < 0) throw new CredentialsError(`${where}.auth: must be base64 of "username:password"`);
      creds.username = decoded.slice(0, colon);
      creds.password = decoded.slice(colon + 1);
    }
    if (typeof entry.username === 'string' && entry.username !== '') creds.username = entry.username;
    if (typeof entry.password === 'string' && entry.password !== '') creds.password = entry.password;
    if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') creds.identityToken = entry.identitytoken;
    // `{}` entries are what `docker login` leaves beside a credsStore: nothing usable here.
    if (creds.username !== undefined || creds.identityToken !== undefined) out.push(creds);
  }
  return out;
}

/** $DOCKER_CONFIG/config.json, else ~/.docker/config.json (Docker's and the kubelet's default). */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/**
 * The credentials of a docker config.json file. A missing default file means none; a file named in
 * the config (`registries.credentialsFile`) must exist. Unreadable or malformed: a CredentialsError.
 */
export function loadDockerConfigFile(path: string | undefined): DockerCredentials[] {
  const file = path ?? defaultDockerConfigPath();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (path === undefined && (code === 'ENOENT' || code === 'ENOTDIR')) return [];
    throw new CredentialsError(`credentials file ${file}: cannot be read: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CredentialsError(`credentials file ${file}: not valid JSON: ${(err as Error).message}`);
  }
  return credentialsFromDockerConfigJson(json, file);
}

/** The first entry for the host: the caller's own sources (pull secrets) in their order, then the file's. */
export function credentialsFor(host: string, sources: readonly DockerCredentials[]): DockerCredentials | undefined {
  const want = normalizeRegistryKey(host);
  return sources.find((c) => c.host === want);
}
