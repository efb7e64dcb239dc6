// Validation of envFrom, configMapKeyRef, secretKeyRef, resourceFieldRef and the configMap, secret,
// downwardAPI and projected volumes, as the API server words it.
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../src/api/manifest.js';
import { defaultPod } from '../src/api/defaults.js';
import { validatePod } from '../src/api/validate.js';
import { formatFieldErrors } from '../src/api/fieldErrors.js';
import type { Pod } from '../src/api/types.js';

function errors(container: string, volumes = ''): string[] {
  const yaml = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: busybox\n${container}${volumes ? `  volumes:\n${volumes}` : ''}`;
  const [doc] = parseManifests(yaml, 'pod.yaml');
  return formatFieldErrors(validatePod(defaultPod(doc!.object as Pod), {}).errors);
}

describe('env from objects', () => {
  it('accepts well-formed references', () => {
    expect(
      errors(`    envFrom: [{configMapRef: {name: cfg}, prefix: CFG_}, {secretRef: {name: s, optional: true}}]
    resources: {limits: {cpu: "1"}}
    env:
    - {name: A, valueFrom: {configMapKeyRef: {name: cfg, key: a.b-c_d}}}
    - {name: B, valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}}
    - {name: C, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: D, valueFrom: {resourceFieldRef: {resource: requests.memory, divisor: 1Mi}}}
`),
    ).toEqual([]);
  });

  it('refuses bad names, keys, sources and resources', () => {
    expect(
      errors(`    envFrom: [{configMapRef: {name: Bad_Name}}, {prefix: "1x"}, {configMapRef: {name: a}, secretRef: {name: b}}]
    env:
    - {name: A, valueFrom: {configMapKeyRef: {name: cfg, key: "a/b"}}}
    - {name: B, valueFrom: {secretKeyRef: {key: k}}}
    - {name: C, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}
    - {name: D, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 2}}}
`),
    ).toEqual([
      'spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')',
      'spec.containers[0].env[1].valueFrom.secretKeyRef.name: Required value',
      'spec.containers[0].env[2].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
      'spec.containers[0].env[3].valueFrom.resourceFieldRef.divisor: Invalid value: "limits.cpu": only divisor\'s values 1m and 1 are supported with the cpu resource',
      expect.stringMatching(/^spec\.containers\[0\]\.envFrom\[0\]\.configMapRef\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/),
      expect.stringMatching(/^spec\.containers\[0\]\.envFrom\[1\]\.prefix: Invalid value: "1x": a valid environment variable name/),
      'spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
      'spec.containers[0].envFrom[2]: Forbidden: may not have more than one field specified at a time',
    ]);
  });
});

describe('object volumes', () => {
  it('accepts the four sources', () => {
    expect(
      errors(
        '',
        `  - {name: a, configMap: {name: cfg, items: [{key: k, path: dir/file, mode: 0400}], defaultMode: 0600}}
  - {name: b, secret: {secretName: s, optional: true}}
  - name: c
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: tier, fieldRef: {fieldPath: "metadata.labels['tier']"}}
      - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory}}
  - name: d
    projected:
      sources:
      - configMap: {name: cfg}
      - secret: {name: s, items: [{key: k, path: s/k}]}
      - serviceAccountToken: {path: token, audience: vault}
      - downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}
`,
      ),
    ).toEqual([]);
  });

  it('refuses what the API server refuses', () => {
    expect(
      errors(
        '',
        `  - {name: a, configMap: {items: [{key: k, path: /abs}, {key: k2, path: ../up}, {path: x, mode: 01000}], defaultMode: 511}}
  - {name: b, secret: {defaultMode: 512}}
  - name: c
    downwardAPI:
      items:
      - {path: ..x, fieldRef: {fieldPath: spec.nodeName}}
      - {path: why, resourceFieldRef: {resource: limits.cpu}}
      - {path: z}
  - name: d
    projected:
      sources:
      - {configMap: {name: a, items: [{key: k, path: same}]}, secret: {name: b, items: [{key: k, path: same}]}}
      - serviceAccountToken: {path: t, expirationSeconds: 60}
      - {}
`,
      ),
    ).toEqual([
      'spec.volumes[0].configMap.name: Required value',
      'spec.volumes[0].configMap.items[0].path: Invalid value: "/abs": must be a relative path',
      'spec.volumes[0].configMap.items[1].path: Invalid value: "../up": must not contain \'..\'',
      'spec.volumes[0].configMap.items[2].key: Required value',
      'spec.volumes[0].configMap.items[2].mode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[1].secret.secretName: Required value',
      'spec.volumes[1].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[2].downwardAPI.items[0].path: Invalid value: "..x": must not start with \'..\'',
      'spec.volumes[2].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      'spec.volumes[2].downwardAPI.items[1].resourceFieldRef.containerName: Required value',
      'spec.volumes[2].downwardAPI.items[2]: Required value: one of fieldRef and resourceFieldRef is required',
      'spec.volumes[3].projected.sources[0]: Forbidden: may not specify more than 1 volume type per source',
      'spec.volumes[3].projected: Invalid value: "b": conflicting duplicate paths',
      'spec.volumes[3].projected.sources[1].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      'spec.volumes[3].projected.sources[2]: Required value: must specify one of: `configMap`, `secret`, `downwardAPI`, `serviceAccountToken`, `clusterTrustBundle`, `podCertificate`',
    ]);
  });

  it('clusterTrustBundle is not implemented', () => {
    expect(errors('', `  - {name: d, projected: {sources: [{clusterTrustBundle: {name: b, path: ca.pem}}]}}\n`)).toEqual([
      'spec.volumes[0].projected.sources[0].clusterTrustBundle: not implemented by tinylet (use --lenient to ignore it)',
    ]);
  });
});
