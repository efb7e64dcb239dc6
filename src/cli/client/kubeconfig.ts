import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface KubeconfigTarget {
  server: string;
  token?: string;
  ca?: string;
  insecure?: boolean;
  namespace?: string;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

/** The current context of a kubeconfig: server, bearer token, CA and namespace. */
export function readKubeconfig(path: string): KubeconfigTarget {
  const file = path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
  const cfg = parse(readFileSync(file, 'utf8')) as Record<string, any>;
  const find = <T>(list: Named<T>[] | undefined, name: string, key: string): any => (list ?? []).find((x) => x.name === name)?.[key];
  const ctx = find(cfg.contexts, cfg['current-context'], 'context') ?? {};
  const cluster = find(cfg.clusters, ctx.cluster, 'cluster') ?? {};
  const user = find(cfg.users, ctx.user, 'user') ?? {};
  if (!cluster.server) throw new Error(`${path}: the current context has no cluster server`);
  const ca = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
    : cluster['certificate-authority']
      ? readFileSync(cluster['certificate-authority'], 'utf8')
      : undefined;
  const token = user.token ?? (user.tokenFile ? readFileSync(user.tokenFile, 'utf8').trim() : undefined);
  return { server: cluster.server, token, ca, insecure: cluster['insecure-skip-tls-verify'] === true, namespace: ctx.namespace };
}
