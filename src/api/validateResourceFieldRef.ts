// resourceFieldRef (env and downwardAPI volume items), as the API server's
// validateContainerResourceFieldSelector and validateContainerResourceDivisor check it.
import { type FieldError, child, invalid, required, unsupported } from './fieldErrors.js';
import { isQuantity, quantityValue } from './names.js';

export const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const HUGEPAGES_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];

const CPU_DIVISORS = [0.001, 1];
const BYTE_DIVISORS = [1, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18, 2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40, 2 ** 50, 2 ** 60];

interface Selector {
  containerName?: string;
  resource?: string;
  divisor?: string | number;
}

/** `volume`: a downwardAPI item, where containerName is required. */
export function validateResourceFieldRef(fs: Selector, path: string, volume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (volume && !fs.containerName) errs.push(required(child(path, 'containerName')));
  else if (!fs.resource) errs.push(required(child(path, 'resource')));
  else if (!RESOURCE_FIELD_PATHS.includes(fs.resource) && !HUGEPAGES_PREFIXES.some((p) => fs.resource!.startsWith(p))) {
    errs.push(unsupported(child(path, 'resource'), fs.resource, RESOURCE_FIELD_PATHS));
  }
  if (fs.divisor === undefined || fs.resource === undefined) return errs;
  const dp = child(path, 'divisor');
  if (isQuantity(fs.divisor).length > 0) return [...errs, invalid(dp, fs.divisor, isQuantity(fs.divisor)[0]!)];
  const d = quantityValue(fs.divisor);
  if (d === 0) return errs;
  const r = fs.resource;
  const close = (allowed: number[]) => allowed.some((a) => Math.abs(a - d) <= a * 1e-12);
  if ((r === 'limits.cpu' || r === 'requests.cpu') && !close(CPU_DIVISORS)) {
    errs.push(invalid(dp, r, "only divisor's values 1m and 1 are supported with the cpu resource"));
  } else if ((r === 'limits.memory' || r === 'requests.memory') && !close(BYTE_DIVISORS)) {
    errs.push(invalid(dp, r, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"));
  } else if ((r === 'limits.ephemeral-storage' || r === 'requests.ephemeral-storage') && !close(BYTE_DIVISORS)) {
    errs.push(invalid(dp, r, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"));
  }
  return errs;
}
