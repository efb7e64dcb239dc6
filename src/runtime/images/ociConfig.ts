import { constants } from 'node:os';
import { isDigest } from './content/blobStore.js';
import type { ImageConfig } from './imageConfig.js';
import { isObject } from './isObject.js';

/** An image config blob's parts tinylet uses, checked: the blob comes from an archive or a registry. */
export interface OciImageConfig {
  architecture: string;
  os: string;
  diffIDs: string[];
  config: ImageConfig;
  exposedPorts: string[];
  created?: string;
}

export class ImageConfigError extends Error {}

/** The image-spec's config.json (and Docker's, which is the same for these fields). */
export function parseOciConfig(bytes: Buffer, what = 'image config'): OciImageConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ImageConfigError(`${what}: not JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new ImageConfigError(`${what}: must be a JSON object`);
  const rootfs = raw.rootfs;
  if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids)) throw new ImageConfigError(`${what}: rootfs.diff_ids: must be a list of digests`);
  rootfs.diff_ids.forEach((d, i) => {
    if (!isDigest(d)) throw new ImageConfigError(`${what}: rootfs.diff_ids[${i}]: ${JSON.stringify(d)} is not a sha256 digest`);
  });
  const c = raw.config === undefined || raw.config === null ? {} : raw.config;
  if (!isObject(c)) throw new ImageConfigError(`${what}: config: must be an object`);
  const list = (key: string): string[] => {
    const v = c[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new ImageConfigError(`${what}: config.${key}: must be a list of strings`);
    return v as string[];
  };
  const text = (key: string): string | undefined => {
    const v = c[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new ImageConfigError(`${what}: config.${key}: must be a string`);
    return v;
  };
  const env: Record<string, string> = {};
  for (const kv of list('Env')) {
    const eq = kv.indexOf('=');
    // containerd keeps "NAME" without "=" out of the process env; so do we.
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const stopSignal = text('StopSignal');
  const ports = c.ExposedPorts;
  const config: ImageConfig = {
    entrypoint: list('Entrypoint'),
    cmd: list('Cmd'),
    env,
    ...(text('WorkingDir') ? { workingDir: text('WorkingDir') } : {}),
    ...(text('User') ? { user: text('User') } : {}),
    ...(stopSignal ? { stopSignal: signalName(stopSignal, what) } : {}),
  };
  return {
    architecture: typeof raw.architecture === 'string' ? raw.architecture : '',
    os: typeof raw.os === 'string' ? raw.os : '',
    diffIDs: rootfs.diff_ids as string[],
    config,
    exposedPorts: isObject(ports) ? Object.keys(ports) : [],
    ...(typeof raw.created === 'string' ? { created: raw.created } : {}),
  };
}

/** STOPSIGNAL as Docker accepts it: SIGQUIT, QUIT or a number, always stored as the SIG name. */
function signalName(s: string, what: string): string {
  const upper = s.trim().toUpperCase();
  if (/^\d+$/.test(upper)) {
    const name = Object.entries(constants.signals).find(([, n]) => n === Number(upper))?.[0];
    if (!name) throw new ImageConfigError(`${what}: config.StopSignal: ${JSON.stringify(s)} is not a signal`);
    return name;
  }
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!(name in constants.signals)) throw new ImageConfigError(`${what}: config.StopSignal: ${JSON.stringify(s)} is not a signal`);
  return name;
}

