/** A JSON object (not an array, not null): what every manifest, index, config and credentials file must be. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
