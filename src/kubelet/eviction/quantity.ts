/**
 * Just enough of resource.Quantity for the eviction manager: exact values (nano units, as BigInt),
 * addition, comparison and String() in canonical form, since the kubelet's eviction messages print
 * `limit.String()`: "1Mi" stays "1Mi", "1024Ki" becomes "1Mi", 1.5Gi "1536Mi", "1000000" "1M", and a
 * pod's limit is the containers' sum in the first one's format.
 */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9. */
  nanos: bigint;
  format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([s, e]) => [e, s]));

/** Parses a quantity as the API accepts it; undefined when malformed. Precision below 1n rounds up, as Kubernetes does. */
export function parseQuantity(value: string | number | undefined): Quantity | undefined {
  if (value === undefined) return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?\d+))?$/.exec(String(value));
  if (!m || (m[2] === '' && !m[3])) return undefined;
  const [, sign, int, frac = '', bin, dec, exp] = m;
  let digits = BigInt(`${int}${frac}` || '0');
  let exp10 = -frac.length;
  let format: QuantityFormat = 'DecimalSI';
  if (bin) {
    digits *= 1024n ** BigInt(BINARY_SUFFIXES.indexOf(bin));
    format = 'BinarySI';
  } else if (exp !== undefined) {
    exp10 += Number(exp);
    format = 'DecimalExponent';
  } else {
    exp10 += DECIMAL_EXPONENTS[dec ?? '']!;
  }
  const shift = exp10 + 9;
  let nanos = shift >= 0 ? digits * 10n ** BigInt(shift) : ceilDiv(digits, 10n ** BigInt(-shift));
  if (sign === '-') nanos = -nanos;
  return { nanos, format };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** Quantity.Add: the receiver's format is kept. */
export function addQuantity(a: Quantity | undefined, b: Quantity | undefined): Quantity | undefined {
  if (!a) return b && { ...b };
  if (!b) return { ...a };
  return { nanos: a.nanos + b.nanos, format: a.format };
}

export function compareQuantity(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

export function bytesQuantity(bytes: number): Quantity {
  return { nanos: BigInt(Math.round(bytes)) * NANO, format: 'BinarySI' };
}

/** Quantity.Value(): whole units, rounded up. */
export function quantityUnits(q: Quantity): bigint {
  return q.nanos >= 0n ? ceilDiv(q.nanos, NANO) : -(-q.nanos / NANO);
}

/** Quantity.String(): the canonical form of the value in its format. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const sign = q.nanos < 0n ? '-' : '';
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  let format = q.format;
  // Below 1Ki, or not a whole number, a binary quantity is shown in decimal (no rounding, no confusion).
  if (format === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let v = abs / NANO;
    let k = 0;
    while (k < BINARY_SUFFIXES.length - 1 && v % 1024n === 0n) {
      v /= 1024n;
      k++;
    }
    return `${sign}${v}${BINARY_SUFFIXES[k]}`;
  }
  let v = abs;
  let e = -9;
  while (v % 10n === 0n) {
    v /= 10n;
    e++;
  }
  const down = ((e % 3) + 3) % 3;
  v *= 10n ** BigInt(down);
  e -= down;
  if (format === 'DecimalExponent') return `${sign}${v}${e === 0 ? '' : `e${e}`}`;
  if (e > 18) {
    v *= 10n ** BigInt(e - 18);
    e = 18;
  }
  return `${sign}${v}${DECIMAL_SUFFIXES.get(e)}`;
}
