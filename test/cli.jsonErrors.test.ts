// `-o json` on failure: `{"errors": [...]}` entries for every kind of error a command can meet, and
// the wording of warnings under --lenient.
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { ManifestError, parseManifests } from '../src/api/manifest.js';
import { ApiStatusError } from '../src/cli/client/apiClient.js';
import { warningTexts } from '../src/cli/client/warnings.js';
import { fieldErrorsToJson, jsonErrorDocument, toJsonErrors } from '../src/cli/jsonErrors.js';
import { lenientWording } from '../src/cli/lenientWording.js';
import { UsageError } from '../src/cli/usageError.js';

describe('toJsonErrors', () => {
  it('a YAML error: source, line, column, the parser\'s reason and the hint', () => {
    let err: unknown;
    try {
      parseManifests('kubectl apply -f - <<EOF\nkind: Pod\n', 'pod.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ManifestError);
    expect(toJsonErrors(err)).toEqual([
      { source: 'pod.yaml', line: 1, column: 1, message: 'Implicit keys need to be on a single line', hint: 'this looks like a shell command; paste only the YAML between `<<EOF` and `EOF`' },
    ]);
  });

  it('field errors: the object, the field path, the kind and the message', () => {
    const details = fieldErrorsToJson([{ path: 'spec.containers[0].image', kind: 'required', message: 'Required value', object: 'x.yaml#1 (Pod a)' }], 'x.yaml');
    expect(toJsonErrors(new UsageError('error: x.yaml is invalid: ...', details))).toEqual([
      { source: 'x.yaml', object: 'x.yaml#1 (Pod a)', field: 'spec.containers[0].image', reason: 'required', message: 'Required value' },
    ]);
  });

  it('a server Status: its causes for Invalid, else its reason, code and message', () => {
    const invalid = new ApiStatusError({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: 422,
      reason: 'Invalid',
      message: 'Pod "bad" is invalid: ...',
      details: { kind: 'Pod', name: 'bad', causes: [{ reason: 'FieldValueRequired', field: 'spec.containers[0].image', message: 'Required value' }] },
    } as never);
    expect(toJsonErrors(invalid)).toEqual([{ object: 'Pod bad', field: 'spec.containers[0].image', reason: 'FieldValueRequired', message: 'Required value', code: 422 }]);
    const missing = new ApiStatusError({ kind: 'Status', code: 404, reason: 'NotFound', message: 'pods "nope" not found', details: { kind: 'pods', name: 'nope' } } as never);
    expect(toJsonErrors(missing)).toEqual([{ object: 'pods nope', reason: 'NotFound', message: 'pods "nope" not found', code: 404 }]);
  });

  it('anything else: its message, without the error: prefix', () => {
    expect(toJsonErrors(new Error('error: --grace-period must be a whole number'))).toEqual([{ message: '--grace-period must be a whole number' }]);
  });

  it('the document: {errors}, or a List of what was done with the errors', () => {
    expect(JSON.parse(jsonErrorDocument([{ message: 'x' }]))).toEqual({ errors: [{ message: 'x' }] });
    expect(JSON.parse(jsonErrorDocument([{ message: 'x' }], [{ kind: 'Pod' }]))).toEqual({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Pod' }], metadata: { resourceVersion: '' }, errors: [{ message: 'x' }] });
  });
});

describe('warnings under --lenient', () => {
  it('never tell to use --lenient', () => {
    expect(lenientWording('spec.hostPID: not implemented by tinylet (use --lenient to ignore it)')).toBe('spec.hostPID: not implemented by tinylet (accepted with --lenient)');
    expect(lenientWording('kind "Service": something (use --lenient to ignore it)')).toBe('kind "Service": something');
  });

  it('reads the server\'s Warning headers as kubectl does', () => {
    const res = { headersDistinct: { warning: ['299 - "spec.hostPID: not implemented by tinylet (use --lenient to ignore it)"', '299 - "a \\"quoted\\" one"', 'junk'] } } as unknown as IncomingMessage;
    expect(warningTexts(res)).toEqual(['spec.hostPID: not implemented by tinylet (use --lenient to ignore it)', 'a "quoted" one']);
  });
});
