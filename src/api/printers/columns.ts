// Column definitions of the server-side tables, as pkg/printers/internalversion/printers.go
// registers them. Descriptions are the API's own field docs (the Go SwaggerDoc strings, which are
// the same text kubernetes-types carries), so `kubectl get -o json` on a Table matches a real
// API server. Priority 1 columns are the ones kubectl shows only with -o wide.

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const col = (name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition => ({
  name,
  type,
  format,
  description,
  priority,
});

const DOC = {
  name:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  podIP: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  nodeName:
    'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.',
  nominatedNodeName:
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
  readinessGates:
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  eventLastTimestamp: 'The time at which the most recent occurrence of this event was recorded.',
  eventType: 'Type of this event (Normal, Warning), new types could be added in the future',
  eventReason:
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  eventInvolvedObject: 'The object that this event is about.',
  fieldPath:
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
  eventSource: 'The component reporting this event. Should be a short machine understandable string.',
  eventMessage: 'A human-readable description of the status of this operation.',
  eventFirstTimestamp: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
  eventCount: 'The number of times this event has occurred.',
  serviceType:
    'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  clusterIP:
    'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  externalIPs:
    'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
  ports:
    'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  selector:
    'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
  subsets:
    'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
  configMapData:
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  secretType: 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  secretData:
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  addressType:
    'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
  slicePorts:
    'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
  sliceEndpoints: 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.',
};

const nameCol = (priority = 0) => col('Name', 'string', DOC.name, priority, 'name');
const ageCol = () => col('Age', 'string', DOC.creationTimestamp);

export const podColumns: TableColumnDefinition[] = [
  nameCol(),
  col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'string', 'The aggregate status of the containers in this pod.'),
  col(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  ageCol(),
  col('IP', 'string', DOC.podIP, 1),
  col('Node', 'string', DOC.nodeName, 1),
  col('Nominated Node', 'string', DOC.nominatedNodeName, 1),
  col('Readiness Gates', 'string', DOC.readinessGates, 1),
];

// The event table interleaves wide columns (SUBOBJECT, SOURCE before MESSAGE), so plain
// `kubectl get events` shows LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.
export const eventColumns: TableColumnDefinition[] = [
  col('Last Seen', 'string', DOC.eventLastTimestamp),
  col('Type', 'string', DOC.eventType),
  col('Reason', 'string', DOC.eventReason),
  col('Object', 'string', DOC.eventInvolvedObject),
  col('Subobject', 'string', DOC.fieldPath, 1),
  col('Source', 'string', DOC.eventSource, 1),
  col('Message', 'string', DOC.eventMessage),
  col('First Seen', 'string', DOC.eventFirstTimestamp, 1),
  col('Count', 'string', DOC.eventCount, 1),
  nameCol(1),
];

export const namespaceColumns: TableColumnDefinition[] = [
  nameCol(),
  col('Status', 'string', 'The status of the namespace'),
  ageCol(),
];

export const serviceColumns: TableColumnDefinition[] = [
  nameCol(),
  col('Type', 'string', DOC.serviceType),
  col('Cluster-IP', 'string', DOC.clusterIP),
  col('External-IP', 'string', DOC.externalIPs),
  col('Port(s)', 'string', DOC.ports),
  ageCol(),
  col('Selector', 'string', DOC.selector, 1),
];

export const endpointsColumns: TableColumnDefinition[] = [nameCol(), col('Endpoints', 'string', DOC.subsets), ageCol()];

export const configMapColumns: TableColumnDefinition[] = [nameCol(), col('Data', 'string', DOC.configMapData), ageCol()];

export const secretColumns: TableColumnDefinition[] = [
  nameCol(),
  col('Type', 'string', DOC.secretType),
  col('Data', 'string', DOC.secretData),
  ageCol(),
];

export const endpointSliceColumns: TableColumnDefinition[] = [
  nameCol(),
  col('AddressType', 'string', DOC.addressType),
  col('Ports', 'string', DOC.slicePorts),
  col('Endpoints', 'string', DOC.sliceEndpoints),
  ageCol(),
];

export const podDisruptionBudgetColumns: TableColumnDefinition[] = [
  nameCol(),
  col('Min Available', 'string', 'The minimum number of pods that must be available.'),
  col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
  col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
  ageCol(),
];
