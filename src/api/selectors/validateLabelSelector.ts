// metav1 validation of a LabelSelector field (apimachinery's ValidateLabelSelector, with
// AllowInvalidLabelValueInSelector off): matchLabels as labels, each matchExpressions entry with an
// operator of In, NotIn, Exists or DoesNotExist, values exactly when the operator needs them.
import { type FieldError, child, forbidden, index, invalid, required } from '../fieldErrors.js';
import { isQualifiedName, isValidLabelValue } from '../names.js';
import type { LabelSelector } from '../types.js';
import { validateLabels } from '../validateMeta.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateLabelSelector(sel: LabelSelector | null | undefined, path: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  const errs: FieldError[] = [];
  if (!isObject(sel)) return [invalid(path, sel, 'must be a label selector object')];
  const labels: unknown = sel.matchLabels;
  if (labels !== undefined && labels !== null) {
    if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) errs.push(invalid(child(path, 'matchLabels'), labels, 'must be a map of strings'));
    else errs.push(...validateLabels(labels as Record<string, string>, child(path, 'matchLabels')));
  }
  const exprs: unknown = sel.matchExpressions;
  if (exprs === undefined || exprs === null) return errs;
  if (!Array.isArray(exprs)) return [...errs, invalid(child(path, 'matchExpressions'), exprs, 'must be a list')];
  exprs.forEach((e: unknown, i) => {
    const at = index(child(path, 'matchExpressions'), i);
    if (!isObject(e)) {
      errs.push(invalid(at, e, 'must be a label selector requirement'));
      return;
    }
    const values = Array.isArray(e.values) ? (e.values as unknown[]) : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(at, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(at, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(at, 'operator'), e.operator ?? '', 'not a valid selector operator'));
    }
    const k = typeof e.key === 'string' ? e.key : '';
    for (const msg of isQualifiedName(k)) errs.push(invalid(child(at, 'key'), k, msg));
    values.forEach((v, j) => {
      const s = typeof v === 'string' ? v : String(v);
      for (const msg of isValidLabelValue(s)) errs.push(invalid(index(child(at, 'values'), j), s, msg));
    });
  });
  return errs;
}
