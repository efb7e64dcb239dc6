import { describe, expect, it } from 'vitest';
import { decodeBase64, isConfigMapKey, validateConfigMap, validateConfigMapUpdate } from '../src/api/configMaps.js';
import { formatFieldErrors } from '../src/api/fieldErrors.js';
import { normalizeSecret, validateSecret, validateSecretUpdate } from '../src/api/secrets.js';
import type { ConfigMap, Secret } from '../src/api/types.js';

const meta = { name: 'cfg', namespace: 'default' };
const cm = (extra: Partial<ConfigMap>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, ...extra });
const sec = (extra: Partial<Secret>): Secret => normalizeSecret({ apiVersion: 'v1', kind: 'Secret', metadata: meta, ...extra });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('config keys and base64', () => {
  it('IsConfigMapKey', () => {
    expect(isConfigMapKey('app.properties')).toEqual([]);
    expect(isConfigMapKey('a/b')).toEqual([KEY_MSG]);
    expect(isConfigMapKey('.')).toEqual(["must not be '.'"]);
    expect(isConfigMapKey('..')).toEqual(["must not be '..'"]);
    expect(isConfigMapKey('..x')).toEqual(["must not start with '..'"]);
    expect(isConfigMapKey('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });

  it('Go StdEncoding', () => {
    expect(decodeBase64('aGVsbG8=')).toEqual({ bytes: 5 });
    expect(decodeBase64('aGVs\nbG8=')).toEqual({ bytes: 5 });
    expect(decodeBase64('')).toEqual({ bytes: 0 });
    expect(decodeBase64('aGVsbG8')).toEqual({ error: 'illegal base64 data at input byte 7' });
    expect(decodeBase64('aGV*bG8=')).toEqual({ error: 'illegal base64 data at input byte 3' });
    expect(decodeBase64('a===')).toEqual({ error: 'illegal base64 data at input byte 1' });
  });
});

describe('validateConfigMap', () => {
  it('accepts data and binaryData', () => {
    expect(validateConfigMap(cm({ data: { 'a.conf': 'x' }, binaryData: { 'b.bin': b64('\u0000\u0001') } }))).toEqual([]);
  });

  it('keys, duplicates across data and binaryData, base64', () => {
    expect(formatFieldErrors(validateConfigMap(cm({ data: { 'a/b': 'x', k: 'v' }, binaryData: { k: b64('v'), z: 'not base64!' } })))).toEqual([
      `data[a/b]: Invalid value: "a/b": ${KEY_MSG}`,
      'data[k]: Invalid value: "k": duplicate of key present in binaryData',
      'binaryData[z]: Invalid value: "<value omitted>": illegal base64 data at input byte 3',
    ]);
  });

  it('at most 1 MiB in all', () => {
    const big = 'x'.repeat(512 * 1024);
    expect(validateConfigMap(cm({ data: { a: big, b: big } }))).toEqual([]);
    expect(formatFieldErrors(validateConfigMap(cm({ data: { a: big, b: big + 'x' } })))).toEqual(['Too long: must have at most 1048576 bytes']);
    expect(formatFieldErrors(validateConfigMap(cm({ data: { a: big }, binaryData: { b: b64(big + 'x') } })))).toEqual(['Too long: must have at most 1048576 bytes']);
  });

  it('immutable ConfigMaps keep their data', () => {
    const old = cm({ immutable: true, data: { a: '1' } });
    expect(validateConfigMapUpdate(cm({ immutable: true, data: { a: '1' }, metadata: { ...meta, labels: { x: 'y' } } }), old)).toEqual([]);
    expect(formatFieldErrors(validateConfigMapUpdate(cm({ data: { a: '2' }, binaryData: { b: '' } }), old))).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
      'binaryData: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(validateConfigMapUpdate(cm({ data: { a: '2' } }), cm({ data: { a: '1' } }))).toEqual([]);
  });
});

describe('Secrets', () => {
  it('normalizeSecret merges stringData and defaults the type', () => {
    const s = normalizeSecret({ metadata: meta, data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new', c: 'é' } });
    expect(s).toEqual({ metadata: meta, type: 'Opaque', data: { a: b64('new'), b: b64('keep'), c: b64('é') } });
  });

  it('keys, base64 and size', () => {
    expect(validateSecret(sec({ data: { 'tls.crt': b64('x') } }))).toEqual([]);
    expect(formatFieldErrors(validateSecret(sec({ data: { 'a b': b64('x'), bad: '%%%%' } })))).toEqual([
      `data[a b]: Invalid value: "a b": ${KEY_MSG}`,
      'data[bad]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 0',
    ]);
    const big = 'x'.repeat(1024 * 1024);
    expect(formatFieldErrors(validateSecret(sec({ stringData: { a: big, b: 'y' } })))).toEqual(['data: Too long: must have at most 1048576 bytes']);
  });

  it('type-specific keys', () => {
    const errs = (s: Partial<Secret>) => formatFieldErrors(validateSecret(sec(s)));
    expect(errs({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c' } })).toEqual(['data[tls.key]: Required value']);
    expect(errs({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } })).toEqual([]);
    expect(errs({ type: 'kubernetes.io/dockerconfigjson' })).toEqual(['data[.dockerconfigjson]: Required value']);
    expect(errs({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } })).toEqual([]);
    expect(errs({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":' } }))
      .toEqual(['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input']);
    expect(errs({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': 'xyz' } }))
      .toEqual(['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'x\' looking for beginning of value']);
    expect(errs({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '[]' } }))
      .toEqual(['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}']);
    expect(errs({ type: 'kubernetes.io/dockercfg', stringData: { '.dockercfg': '{}' } })).toEqual([]);
    expect(errs({ type: 'kubernetes.io/basic-auth' })).toEqual(['data[username]: Required value', 'data[password]: Required value']);
    expect(errs({ type: 'kubernetes.io/basic-auth', stringData: { password: '' } })).toEqual([]);
    expect(errs({ type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': '' } })).toEqual(['data[ssh-privatekey]: Required value']);
    expect(errs({ type: 'kubernetes.io/service-account-token' })).toEqual(['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
    expect(errs({ type: 'kubernetes.io/service-account-token', metadata: { ...meta, annotations: { 'kubernetes.io/service-account.name': 'default' } } })).toEqual([]);
    expect(errs({ type: 'example.com/custom' })).toEqual([]);
  });

  it('validateSecretUpdate: type immutable, immutable data', () => {
    const old = sec({ type: 'Opaque', stringData: { a: '1' } });
    expect(formatFieldErrors(validateSecretUpdate(sec({ type: 'kubernetes.io/basic-auth', stringData: { a: '1', username: 'u' } }), old)))
      .toEqual(['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
    const frozen = sec({ immutable: true, stringData: { a: '1' } });
    expect(validateSecretUpdate(sec({ immutable: true, stringData: { a: '1' } }), frozen)).toEqual([]);
    expect(formatFieldErrors(validateSecretUpdate(sec({ immutable: true, stringData: { a: '2' } }), frozen)))
      .toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(formatFieldErrors(validateSecretUpdate(sec({ stringData: { a: '1' } }), frozen)))
      .toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
  });
});
