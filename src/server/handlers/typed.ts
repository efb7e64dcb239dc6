import type { Event } from '../../api/types.js';

/** kind and apiVersion first, as the API server serialises objects (pods: GenericRegistry.typed). */
export function typedEvent(ev: Event): Event {
  const { kind: _k, apiVersion: _a, ...rest } = ev;
  return { kind: 'Event', apiVersion: 'v1', ...rest } as Event;
}

export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
