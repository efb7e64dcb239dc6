// intstr.IntOrString as PodDisruptionBudgets use it (minAvailable, maxUnavailable): an integer, or a
// percentage string such as "50%" scaled against a total (intstr.GetScaledValueFromIntOrPercent).
export type IntOrPercent = number | string;

const PERCENT = /^[0-9]+%$/;

/** The percentage of a "N%" string, or undefined when it is not one. */
export function percentOf(v: IntOrPercent): number | undefined {
  return typeof v === 'string' && PERCENT.test(v) ? Number(v.slice(0, -1)) : undefined;
}

/**
 * The value against `total`: an integer as it is, a percentage of the total rounded up (`roundUp`,
 * which the disruption controller always asks for) or down. Throws on a string that is no percentage.
 */
export function scaledValue(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const p = percentOf(v);
  if (p === undefined) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const exact = (p * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** IntOrString.String(): the integer in decimal, or the string itself. */
export const intOrPercentString = (v: IntOrPercent): string => String(v);
