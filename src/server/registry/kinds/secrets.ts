// v1 Secret: stringData folded into data, type-specific keys checked (secrets.ts). Stored like
// every object with mode 0600 (objectStore.ts).
import { normalizeSecret, validateSecret, validateSecretUpdate } from '../../../api/secrets.js';
import type { Secret } from '../../../api/types.js';
import { validateObjectMeta } from '../../../api/validateMeta.js';
import type { ApiObject } from '../../../store/objectStore.js';
import type { Strategy } from '../strategy.js';

const normalize = (o: ApiObject): ApiObject => normalizeSecret(o as Secret) as ApiObject;

export const secretStrategy: Strategy = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  resource: 'secrets',
  singular: 'secret',
  namespaced: true,
  tableKind: 'Secret',
  fieldGetter: { fields: ['type'], get: (o, f) => (f === 'type' ? String((o as Secret).type ?? '') : '') },
  prepareForCreate: normalize,
  prepareForUpdate: normalize,
  validate: (o) => [...validateObjectMeta(o.metadata ?? {}), ...validateSecret(o as Secret)],
  validateUpdate: (next, old) => validateSecretUpdate(next as Secret, old as Secret),
};
