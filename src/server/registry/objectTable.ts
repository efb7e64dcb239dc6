// The API server's default TableConvertor, for kinds without a printer of their own: Name and
// Created At (kubectl get prints NAME and CREATED AT).
import type { ApiObject } from '../../store/objectStore.js';
import type { RequestContext } from '../context.js';
import { includeObject, tableVersion } from '../respond.js';

export function objectTable(ctx: RequestContext, objects: ApiObject[], resourceVersion: string | undefined): object {
  const include = includeObject(ctx);
  const table = {
    kind: 'Table',
    apiVersion: tableVersion(ctx.req) === 'v1beta1' ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1',
    metadata: resourceVersion !== undefined ? { resourceVersion } : {},
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', priority: 0 },
      { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata', priority: 0 },
    ],
    rows: objects.map((o) => ({
      cells: [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''],
      object: include === 'None' ? null : include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata ?? {} },
    })),
  };
  return table;
}
