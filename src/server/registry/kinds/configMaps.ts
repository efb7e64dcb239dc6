// v1 ConfigMap: data and binaryData, validated as the API server does (configMaps.ts).
import { validateConfigMap, validateConfigMapUpdate } from '../../../api/configMaps.js';
import type { ConfigMap } from '../../../api/types.js';
import { validateObjectMeta } from '../../../api/validateMeta.js';
import type { Strategy } from '../strategy.js';

export const configMapStrategy: Strategy = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  resource: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  tableKind: 'ConfigMap',
  validate: (o) => [...validateObjectMeta(o.metadata ?? {}), ...validateConfigMap(o as ConfigMap)],
  validateUpdate: (next, old) => validateConfigMapUpdate(next as ConfigMap, old as ConfigMap),
};
