// A downwardAPI volume's files (pkg/volume/downwardapi CollectData): each item is a field of the
// pod (fieldRef) or a container's resource (resourceFieldRef), with its mode or the defaultMode.
import type { Pod, Volume } from '../../api/types.js';
import { fieldRefValue } from '../../runtime/env.js';
import { containerResourceValue } from '../resourceFieldRef.js';
import type { Payload } from './atomicWriter.js';

type Items = NonNullable<NonNullable<Volume['downwardAPI']>['items']>;

/** The items' files; the errors of all of them together, as the kubelet aggregates them. */
export function downwardAPIPayload(items: Items | undefined, pod: Pod, allocatable: Record<string, number>, defaultMode: number): Payload {
  const payload: Payload = new Map();
  const errors: Error[] = [];
  for (const item of items ?? []) {
    const mode = item.mode ?? defaultMode;
    if (item.fieldRef) {
      payload.set(item.path, { data: Buffer.from(fieldRefValue(pod, item.fieldRef.fieldPath), 'utf8'), mode });
    } else if (item.resourceFieldRef) {
      const container = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === item.resourceFieldRef!.containerName);
      try {
        if (!container) throw new Error(`container ${item.resourceFieldRef.containerName ?? ''} not found`);
        payload.set(item.path, { data: Buffer.from(containerResourceValue(item.resourceFieldRef, pod, container, allocatable), 'utf8'), mode });
      } catch (err) {
        errors.push(err as Error);
      }
    }
  }
  throwAggregate(errors);
  return payload;
}

/** utilerrors.NewAggregate: one error reads as itself, several as `[a, b]`. */
export function throwAggregate(errors: Error[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new Error(`[${errors.map((e) => e.message).join(', ')}]`);
}
