import { matchesFields, parseFieldSelector, type FieldGetter } from '../api/selectors/fields.js';
import { matchesLabels, parseLabelSelector } from '../api/selectors/labels.js';
import type { ObjectMeta } from '../api/types.js';
import type { RequestContext } from './context.js';
import { badRequest } from './status.js';

/** `labelSelector` and `fieldSelector` of a list or watch, as one predicate; bad syntax is a 400. */
export function selectorFromQuery<T extends { metadata?: ObjectMeta }>(ctx: RequestContext, getter: FieldGetter<T>): (obj: T) => boolean {
  try {
    const labels = parseLabelSelector(ctx.query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(ctx.query.get('fieldSelector') ?? '', getter);
    return (obj) => matchesLabels(labels, obj.metadata?.labels) && matchesFields(fields, getter, obj);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}
