// v1.PodLogOptions from the query, as the API server decodes and validates them: booleans and
// int64s by the parameter codec (a value that does not parse is a 400, see queryParams.ts), then
// ValidatePodLogOptions (pkg/apis/core/validation), whose findings are a 422 Invalid for kind
// PodLogOptions named after the pod: `PodLogOptions "web" is invalid: tailLines: Invalid value: -1:
// must be greater than or equal to 0`.
import { invalid as invalidField, forbidden, type FieldError } from '../../api/fieldErrors.js';
import type { Pod } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { boolParam, int64Param } from '../queryParams.js';
import { badRequest, invalid } from '../status.js';
import { pickContainer } from './pickContainer.js';

export interface LogOptions {
  container: string;
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Lines older than this (epoch milliseconds) are left out. */
  sinceMs?: number;
  limitBytes?: number;
}

function validate(tailLines: number | undefined, limitBytes: number | undefined, sinceSeconds: number | undefined, sinceTime: string | null): FieldError[] {
  const errs: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0) errs.push(invalidField('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) errs.push(invalidField('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime !== null) errs.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (sinceSeconds !== undefined && sinceSeconds < 1) errs.push(invalidField('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  return errs;
}

export function parseLogOptions(ctx: RequestContext, pod: Pod): LogOptions {
  const q = ctx.query;
  const tailLines = int64Param(q, 'tailLines');
  const limitBytes = int64Param(q, 'limitBytes');
  const sinceSeconds = int64Param(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceTime !== null && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`sinceTime: Invalid value: "${sinceTime.slice(0, 100)}": must be an RFC3339 time`);
  const errs = validate(tailLines, limitBytes, sinceSeconds, sinceTime);
  if (errs.length > 0) throw invalid('PodLogOptions', pod.metadata!.name!, errs);
  return {
    container: pickContainer(pod, q.get('container')),
    previous: boolParam(q, 'previous'),
    follow: boolParam(q, 'follow'),
    timestamps: boolParam(q, 'timestamps'),
    tailLines,
    limitBytes,
    sinceMs: sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime !== null ? Date.parse(sinceTime) : undefined,
  };
}
