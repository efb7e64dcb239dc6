// The API's own shapes, from the kubernetes-types package, re-exported under one roof.
export type { Pod, PodSpec, PodStatus, Container, ContainerStatus, ContainerState, PodCondition, Probe, Lifecycle, LifecycleHandler, EnvVar, Volume, VolumeMount, ContainerPort, Namespace, Event, Service, ExecAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1.js';
export type { ObjectMeta, Status, Time, MicroTime, LabelSelector } from 'kubernetes-types/meta/v1.js';
export type { SleepAction } from 'kubernetes-types/core/v1.js';

/** `lifecycle.stopSignal` arrived in Kubernetes 1.33, after the kubernetes-types release we use. */
export interface LifecycleWithStopSignal {
  stopSignal?: string;
}
export type { Endpoints, EndpointSubset, ObjectReference, Toleration, ServicePort, ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
export type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
export type { LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
export type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus, Eviction } from 'kubernetes-types/policy/v1.js';
