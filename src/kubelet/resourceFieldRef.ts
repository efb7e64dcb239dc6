// resourceFieldRef of the downward API (env and volumes), as the kubelet computes it:
// defaultPodLimitsForDownwardAPI fills a missing limit with the node's allocatable, then
// ExtractContainerResourceValue divides by the divisor and rounds up (pkg/api/v1/resource).
import { statfsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import type { Container, Pod } from '../api/types.js';
import { quantityValue } from '../api/names.js';

interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

/**
 * The node's allocatable: its CPUs, its memory and the capacity of the filesystem holding the state
 * dir (tinylet reserves nothing for system daemons, so allocatable is capacity).
 */
export function nodeAllocatable(stateDir: string): Record<'cpu' | 'memory' | 'ephemeral-storage', number> {
  let storage = 0;
  try {
    const fs = statfsSync(stateDir);
    storage = fs.blocks * fs.bsize;
  } catch {
    /* no state dir yet: 0, as a node that reports none */
  }
  return { cpu: availableParallelism(), memory: totalmem(), 'ephemeral-storage': storage };
}

const LIMITED = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** The container's value of `resource` (limits.cpu, requests.memory...), divided and rounded up as the kubelet does. */
export function containerResourceValue(fs: ResourceFieldSelector, pod: Pod, container: Container, allocatable: Record<string, number>): string {
  const named = fs.containerName ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === fs.containerName) : container;
  if (!named) throw new Error(`container ${fs.containerName} not found`);
  const [kind, name] = splitResource(fs.resource);
  if (!kind || !(LIMITED as readonly string[]).includes(name)) throw new Error(`unsupported container resource : ${fs.resource}`);
  const limits = named.resources?.limits ?? {};
  const requests = named.resources?.requests ?? {};
  let amount: number;
  if (kind === 'limits') amount = limits[name] !== undefined ? quantityValue(limits[name]!) : allocatable[name]!;
  // A missing request is the limit when there is one (the API server's defaulting), else zero.
  else {
    const request = requests[name] ?? limits[name];
    amount = request !== undefined ? quantityValue(request) : 0;
  }
  const divisorValue = fs.divisor === undefined || quantityValue(fs.divisor) === 0 ? 1 : quantityValue(fs.divisor);
  if (name === 'cpu') return String(Math.ceil(milli(amount) / milli(divisorValue)));
  return String(Math.ceil(whole(amount) / whole(divisorValue)));
}

function splitResource(resource: string): ['limits' | 'requests' | undefined, string] {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  return [kind === 'limits' || kind === 'requests' ? kind : undefined, resource.slice(dot + 1)];
}

// Quantity.MilliValue() and Value() round up to an integer; the epsilon keeps 0.1*1000 at 100.
const milli = (v: number): number => Math.ceil(v * 1000 - 1e-6);
const whole = (v: number): number => Math.ceil(v - 1e-9);
