import { isQuantity, quantityValue } from '../api/names.js';
import type { RotationPolicy } from '../runtime/logs/logRotation.js';
import type { AgentConfig } from './config.js';
import { parseDuration } from './duration.js';

/** The agent config's disk keys, named as in KubeletConfiguration, with the kubelet's defaults. */
export const DISK_DEFAULTS = {
  containerLogMaxSize: '10Mi',
  containerLogMaxFiles: 5,
  evictionMonitoringPeriodMs: 10_000,
};

/**
 * Validates containerLogMaxSize / containerLogMaxFiles (as the kubelet's NewContainerLogManager:
 * a quantity, a negative one turning rotation off; more than one file) and takes
 * evictionMonitoringPeriod, a duration.
 */
export function applyDiskConfig(cfg: AgentConfig, evictionMonitoringPeriod: string | number | undefined, source: string): void {
  if (typeof cfg.containerLogMaxSize === 'number') cfg.containerLogMaxSize = String(cfg.containerLogMaxSize);
  const size = cfg.containerLogMaxSize;
  if (typeof size !== 'string' || isQuantity(size).length > 0 || !Number.isInteger(quantityValue(size))) {
    throw new Error(`${source}: containerLogMaxSize: must be a quantity of bytes such as 10Mi (negative: no rotation)`);
  }
  // The kubelet takes 0 and then rotates every file at every check; a size is surely what was meant.
  if (quantityValue(size) === 0) throw new Error(`${source}: containerLogMaxSize: must not be 0 (negative: no rotation)`);
  const files = cfg.containerLogMaxFiles;
  if (!Number.isInteger(files) || files <= 1) throw new Error(`${source}: containerLogMaxFiles: invalid MaxFiles ${String(files)}, must be > 1`);
  if (evictionMonitoringPeriod !== undefined) cfg.evictionMonitoringPeriodMs = parseDuration(evictionMonitoringPeriod, 'evictionMonitoringPeriod');
  if (!(cfg.evictionMonitoringPeriodMs >= 100)) throw new Error(`${source}: evictionMonitoringPeriod: must be at least 100ms`);
}

/** The rotation policy the log writer applies, from the config (overrides in tests skip applyRaw). */
export function logRotationPolicy(cfg: AgentConfig): RotationPolicy {
  const maxSize = quantityValue(cfg.containerLogMaxSize ?? DISK_DEFAULTS.containerLogMaxSize);
  return {
    maxSize: Number.isFinite(maxSize) && maxSize !== 0 ? Math.floor(maxSize) : quantityValue(DISK_DEFAULTS.containerLogMaxSize),
    maxFiles: Math.max(2, cfg.containerLogMaxFiles ?? DISK_DEFAULTS.containerLogMaxFiles),
  };
}
