// The known fields of a v1 Pod, with their JSON types: the table strict decoding walks.
// Field names follow the API (kubernetes-types 1.30) plus the few newer fields users meet in
// current docs (lifecycle.stopSignal, restartPolicyRules, hostnameOverride, pod-level resources,
// image volumes): known, so they are not "unknown field" typos; validation decides what they mean.
// Subtrees tinylet never reads (affinity, tolerations, ...) are only checked to be mappings or lists.
import { type FieldSpec, list, map, struct } from './schema.js';

const S = 'string';
const I = 'int'; // int64
const I32 = 'int32';
const B = 'bool';
const OBJ = 'object';

const execAction = struct({ command: list(S) });
const httpGetAction = struct({
  host: S,
  httpHeaders: list(struct({ name: S, value: S })),
  path: S,
  port: 'intOrString',
  scheme: S,
});
const tcpSocketAction = struct({ host: S, port: 'intOrString' });

export const probeSchema = struct({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  grpc: struct({ port: I32, service: S }),
  initialDelaySeconds: I32,
  timeoutSeconds: I32,
  periodSeconds: I32,
  successThreshold: I32,
  failureThreshold: I32,
  terminationGracePeriodSeconds: I,
});

const lifecycleHandler = struct({ exec: execAction, httpGet: httpGetAction, tcpSocket: tcpSocketAction, sleep: struct({ seconds: I }) });

const keySelector = struct({ name: S, key: S, optional: B });
const envVar = struct({
  name: S,
  value: S,
  valueFrom: struct({
    fieldRef: struct({ apiVersion: S, fieldPath: S }),
    resourceFieldRef: struct({ containerName: S, resource: S, divisor: 'quantity' }),
    configMapKeyRef: keySelector,
    secretKeyRef: keySelector,
    fileKeyRef: OBJ,
  }),
});

// securityContext fields of Kubernetes 1.34 (kubernetes-types 1.30 lacks supplementalGroupsPolicy
// and seLinuxChangePolicy): a typo such as `runAsUsr` would otherwise run the process as root.
const profile = struct({ type: S, localhostProfile: S });
const seLinuxOptions = struct({ level: S, role: S, type: S, user: S });
const windowsOptions = struct({ gmsaCredentialSpec: S, gmsaCredentialSpecName: S, hostProcess: B, runAsUserName: S });
const securityContextSchema = struct({
  allowPrivilegeEscalation: B,
  appArmorProfile: profile,
  capabilities: struct({ add: list(S), drop: list(S) }),
  privileged: B,
  procMount: S,
  readOnlyRootFilesystem: B,
  runAsGroup: I,
  runAsNonRoot: B,
  runAsUser: I,
  seLinuxOptions,
  seccompProfile: profile,
  windowsOptions,
});
const podSecurityContextSchema = struct({
  appArmorProfile: profile,
  fsGroup: I,
  fsGroupChangePolicy: S,
  runAsGroup: I,
  runAsNonRoot: B,
  runAsUser: I,
  seLinuxChangePolicy: S,
  seLinuxOptions,
  seccompProfile: profile,
  supplementalGroups: list(I),
  supplementalGroupsPolicy: S,
  sysctls: list(struct({ name: S, value: S })),
  windowsOptions,
});

export const containerSchema = struct({
  name: S,
  image: S,
  imagePullPolicy: S,
  command: list(S),
  args: list(S),
  workingDir: S,
  ports: list(struct({ name: S, containerPort: I32, hostPort: I32, hostIP: S, protocol: S })),
  env: list(envVar),
  envFrom: list(struct({ prefix: S, configMapRef: struct({ name: S, optional: B }), secretRef: struct({ name: S, optional: B }) })),
  resources: struct({ limits: map('quantity'), requests: map('quantity'), claims: list(struct({ name: S, request: S })) }),
  resizePolicy: list(struct({ resourceName: S, restartPolicy: S })),
  restartPolicy: S,
  restartPolicyRules: list(OBJ),
  volumeMounts: list(struct({ name: S, mountPath: S, readOnly: B, recursiveReadOnly: S, subPath: S, subPathExpr: S, mountPropagation: S })),
  volumeDevices: list(OBJ),
  livenessProbe: probeSchema,
  readinessProbe: probeSchema,
  startupProbe: probeSchema,
  lifecycle: struct({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: S }),
  terminationMessagePath: S,
  terminationMessagePolicy: S,
  securityContext: securityContextSchema,
  stdin: B,
  stdinOnce: B,
  tty: B,
});

/** Volume sources tinylet does not provide; each is still a known field (validation reports it). */
export const OTHER_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi',
  'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'image', 'iscsi',
  'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd',
  'scaleIO', 'storageos', 'vsphereVolume',
] as const;

const keyToPath = struct({ key: S, path: S, mode: I32 });
const downwardAPIFile = struct({
  path: S,
  fieldRef: struct({ apiVersion: S, fieldPath: S }),
  resourceFieldRef: struct({ containerName: S, resource: S, divisor: 'quantity' }),
  mode: I32,
});
const objectProjection = struct({ name: S, items: list(keyToPath), optional: B });

export const volumeSchema = struct({
  name: S,
  emptyDir: struct({ medium: S, sizeLimit: 'quantity' }),
  hostPath: struct({ path: S, type: S }),
  configMap: struct({ name: S, items: list(keyToPath), defaultMode: I32, optional: B }),
  secret: struct({ secretName: S, items: list(keyToPath), defaultMode: I32, optional: B }),
  downwardAPI: struct({ items: list(downwardAPIFile), defaultMode: I32 }),
  projected: struct({
    sources: list(
      struct({
        configMap: objectProjection,
        secret: objectProjection,
        downwardAPI: struct({ items: list(downwardAPIFile) }),
        serviceAccountToken: struct({ audience: S, expirationSeconds: I, path: S }),
        clusterTrustBundle: OBJ,
        podCertificate: OBJ,
      }),
    ),
    defaultMode: I32,
  }),
  ...Object.fromEntries(OTHER_VOLUME_SOURCES.map((s) => [s, OBJ])),
});

export const objectMetaSchema = struct({
  name: S,
  generateName: S,
  namespace: S,
  uid: S,
  resourceVersion: S,
  generation: I,
  creationTimestamp: S,
  deletionTimestamp: S,
  deletionGracePeriodSeconds: I,
  labels: map(S),
  annotations: map(S),
  ownerReferences: list(OBJ),
  finalizers: list(S),
  managedFields: list(OBJ),
  selfLink: S,
});

export const podSpecSchema = struct({
  containers: list(containerSchema),
  initContainers: list(containerSchema),
  ephemeralContainers: list(OBJ),
  volumes: list(volumeSchema),
  restartPolicy: S,
  terminationGracePeriodSeconds: I,
  activeDeadlineSeconds: I,
  dnsPolicy: S,
  dnsConfig: OBJ,
  nodeSelector: map(S),
  nodeName: S,
  serviceAccountName: S,
  serviceAccount: S,
  automountServiceAccountToken: B,
  hostNetwork: B,
  hostPID: B,
  hostIPC: B,
  hostUsers: B,
  shareProcessNamespace: B,
  securityContext: podSecurityContextSchema,
  // LocalObjectReference: the kubelet reads the named Secrets from the pod's namespace (kubelet/images/pullSecrets.ts).
  imagePullSecrets: list(struct({ name: S })),
  hostname: S,
  hostnameOverride: S,
  subdomain: S,
  setHostnameAsFQDN: B,
  affinity: OBJ,
  schedulerName: S,
  tolerations: list(OBJ),
  hostAliases: list(struct({ ip: S, hostnames: list(S) })),
  priorityClassName: S,
  priority: I32,
  preemptionPolicy: S,
  readinessGates: list(struct({ conditionType: S })),
  runtimeClassName: S,
  enableServiceLinks: B,
  overhead: map('quantity'),
  topologySpreadConstraints: list(OBJ),
  os: struct({ name: S }),
  schedulingGates: list(OBJ),
  resourceClaims: list(OBJ),
  resources: struct({ limits: map('quantity'), requests: map('quantity'), claims: list(OBJ) }),
});

export const podSchema: FieldSpec = struct({
  apiVersion: S,
  kind: S,
  metadata: objectMetaSchema,
  spec: podSpecSchema,
  status: OBJ,
});
