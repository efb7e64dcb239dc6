// The agent config's Service settings, checked as the API server checks its flags at start.
import { parseCidr } from '../runtime/network/cidr.js';
import type { AgentConfig } from './config.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `30000-32767` (the API server's --service-node-port-range form). */
export function parsePortRange(text: unknown, field: string): { min: number; max: number } {
  const m = typeof text === 'string' ? /^(\d{1,5})-(\d{1,5})$/.exec(text.trim()) : null;
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1 || max > 65535 || min > max) throw new Error(`${field}: must be a port range such as 30000-32767`);
  return { min, max };
}

export function applyServiceConfig(cfg: AgentConfig, nodePortRange: unknown, source: string): void {
  if (nodePortRange !== undefined) cfg.serviceNodePortRange = parsePortRange(nodePortRange, `${source}: serviceNodePortRange`);
  try {
    const cidr = parseCidr(cfg.serviceCIDR);
    // The network address, the first IP (the `kubernetes` Service) and the tenth (kube-dns) must exist.
    if (cidr.prefix > 28) throw new Error('must hold at least 16 addresses (a prefix of /28 or shorter)');
  } catch (err) {
    throw new Error(`${source}: serviceCIDR: ${(err as Error).message}`);
  }
  const domain = cfg.clusterDomain;
  if (typeof domain !== 'string' || domain.length > 253 || !domain.split('.').every((l) => DNS_LABEL.test(l))) {
    throw new Error(`${source}: clusterDomain: must be a DNS domain such as cluster.local`);
  }
  const delay = cfg.endpointRemovalDelaySeconds;
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 3600) {
    throw new Error(`${source}: endpointRemovalDelaySeconds: must be a whole number of seconds from 0 to 3600`);
  }
}
