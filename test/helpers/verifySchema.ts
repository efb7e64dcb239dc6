// A small JSON Schema checker for the subset docs/verify.schema.json uses (type, const, enum,
// required, properties, additionalProperties: false, items, oneOf, minimum, local $ref): the
// report must match the published schema exactly, without a validator dependency.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, any>;
const root: Schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'verify.schema.json'), 'utf8'));

function typeOk(t: string, v: unknown): boolean {
  if (t === 'null') return v === null;
  if (t === 'integer') return Number.isInteger(v);
  if (t === 'array') return Array.isArray(v);
  if (t === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v);
  return typeof v === t;
}

export function schemaErrors(v: unknown, s: Schema = root, path = '$'): string[] {
  if (s.$ref) return schemaErrors(v, root.$defs[String(s.$ref).replace('#/$defs/', '')], path);
  if (s.oneOf) {
    const matching = (s.oneOf as Schema[]).filter((o) => schemaErrors(v, o, path).length === 0).length;
    return matching === 1 ? [] : [`${path}: matches ${matching} of oneOf`];
  }
  const errs: string[] = [];
  if ('const' in s && v !== s.const) errs.push(`${path}: must be ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in ${s.enum.join(',')}`);
  if (s.type && ![s.type].flat().some((t: string) => typeOk(t, v))) return [...errs, `${path}: not ${[s.type].flat().join('|')}: ${JSON.stringify(v)}`];
  if (s.minimum !== undefined && typeof v === 'number' && v < s.minimum) errs.push(`${path}: below ${s.minimum}`);
  if (Array.isArray(v) && s.items) v.forEach((item, i) => errs.push(...schemaErrors(item, s.items, `${path}[${i}]`)));
  if (typeOk('object', v) && (s.properties || s.required)) {
    const o = v as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in o)) errs.push(`${path}.${k}: required`);
    for (const [k, val] of Object.entries(o)) {
      if (s.properties?.[k]) errs.push(...schemaErrors(val, s.properties[k], `${path}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}.${k}: not in the schema`);
    }
  }
  return errs;
}

export function checkVerifyReport(report: unknown): void {
  const errs = schemaErrors(report);
  if (errs.length) throw new Error(`report does not match docs/verify.schema.json:\n${errs.join('\n')}`);
}
