// Status objects shaped as the API server's (apimachinery api/errors): `details` whenever it sends
// them, `{}` included, which kubectl 1.22+'s `debug` dereferences (Details.Name) without a nil check.
import { describe, expect, it } from 'vitest';
import { invalid as invalidField } from '../src/api/fieldErrors.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  internalError,
  invalid,
  methodNotAllowed,
  notFound,
  routeNotFound,
  serviceUnavailable,
  toApiError,
  unauthorized,
  unsupportedMediaType,
} from '../src/server/status.js';

const head = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' };

describe('Status objects', () => {
  it('NotFound, AlreadyExists and Conflict name the object by its resource (plural) and group', () => {
    expect(notFound('pods', 'x').toStatus()).toEqual({ ...head, message: 'pods "x" not found', reason: 'NotFound', details: { name: 'x', kind: 'pods' }, code: 404 });
    expect(notFound('podmetrics.metrics.k8s.io', 'default/x').toStatus()).toEqual({
      ...head,
      message: 'podmetrics.metrics.k8s.io "default/x" not found',
      reason: 'NotFound',
      details: { name: 'default/x', group: 'metrics.k8s.io', kind: 'podmetrics' },
      code: 404,
    });
    expect(alreadyExists('pods', 'x').toStatus()).toEqual({ ...head, message: 'pods "x" already exists', reason: 'AlreadyExists', details: { name: 'x', kind: 'pods' }, code: 409 });
    expect(conflict('pods', 'x').toStatus()).toEqual({
      ...head,
      message: 'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'x', kind: 'pods' },
      code: 409,
    });
  });

  it('Invalid names the object by its Kind and lists one cause per field error (the message after the path)', () => {
    const s = invalid('Pod', 'web', [invalidField('spec.restartPolicy', 'Sometimes', 'bad'), invalidField('spec.x', 1, 'worse')]).toStatus();
    expect(s).toEqual({
      ...head,
      message: 'Pod "web" is invalid: [spec.restartPolicy: Invalid value: "Sometimes": bad, spec.x: Invalid value: 1: worse]',
      reason: 'Invalid',
      details: {
        name: 'web',
        kind: 'Pod',
        causes: [
          { reason: 'FieldValueInvalid', message: 'Invalid value: "Sometimes": bad', field: 'spec.restartPolicy' },
          { reason: 'FieldValueInvalid', message: 'Invalid value: 1: worse', field: 'spec.x' },
        ],
      },
      code: 422,
    });
  });

  it('the router\'s 404 and 405 carry empty details, as NewGenericServerResponse gives them', () => {
    expect(routeNotFound().toStatus()).toEqual({ ...head, message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    expect(methodNotAllowed().toStatus()).toEqual({ ...head, message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405 });
    expect(forbidden('no').toStatus()).toEqual({ ...head, message: 'forbidden: no', reason: 'Forbidden', details: {}, code: 403 });
  });

  it('internal errors carry their message as the cause; BadRequest, Unauthorized, Expired, 503 and 415 have no details', () => {
    expect(internalError('boom').toStatus()).toEqual({ ...head, message: 'Internal error occurred: boom', reason: 'InternalError', details: { causes: [{ message: 'boom' }] }, code: 500 });
    expect(toApiError(new Error('boom')).toStatus()).toEqual(internalError('boom').toStatus());
    for (const e of [badRequest('x'), unauthorized(), expired('too old resource version: 1 (2)'), serviceUnavailable('x'), unsupportedMediaType()]) {
      expect(e.toStatus().details).toBeUndefined();
      expect(Object.keys(e.toStatus())).toEqual(['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'code']);
    }
    expect(unauthorized().toStatus()).toMatchObject({ message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    expect(unsupportedMediaType().message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
    );
  });

  it('keeps the API server\'s field order: kind, apiVersion, metadata, status, message, reason, details, code', () => {
    expect(Object.keys(notFound('pods', 'x').toStatus())).toEqual(['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
  });
});
