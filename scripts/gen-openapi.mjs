#!/usr/bin/env node
// Writes src/server/openapiDefinitions.ts: the OpenAPI v2 definitions (io.k8s.api.core.v1.Pod, ...)
// of the kinds the agent serves and of everything they reference, with the API's field descriptions.
// The source is the `kubernetes-types` package (a dependency already): its .d.ts files are generated
// from the official swagger.json of Kubernetes 1.30 and keep each type's and each field's
// description and which fields are required. What a .d.ts cannot say is added here: the
// x-kubernetes-group-version-kind of the served kinds, the patch strategies and merge keys of
// the strategic lists (the Go struct tags kubectl apply computes its patch from), date-time and
// int-or-string formats, and the fields Kubernetes added after 1.30 that tinylet accepts.
//
//   node scripts/gen-openapi.mjs          (rewrite the file)
//   node scripts/gen-openapi.mjs --check  (exit 1 when the file is not what it would write)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const typesDir = dirname(require.resolve('kubernetes-types/package.json'));
const typesVersion = JSON.parse(readFileSync(join(typesDir, 'package.json'), 'utf8')).version;
const OUT = join(root, 'src/server/openapiDefinitions.ts');

/** Module of kubernetes-types -> definition prefix and API group (undefined: no kinds of its own). */
const MODULES = {
  'core/v1': { prefix: 'io.k8s.api.core.v1', group: '', version: 'v1' },
  'policy/v1': { prefix: 'io.k8s.api.policy.v1', group: 'policy', version: 'v1' },
  'coordination/v1': { prefix: 'io.k8s.api.coordination.v1', group: 'coordination.k8s.io', version: 'v1' },
  'discovery/v1': { prefix: 'io.k8s.api.discovery.v1', group: 'discovery.k8s.io', version: 'v1' },
  'authorization/v1': { prefix: 'io.k8s.api.authorization.v1', group: 'authorization.k8s.io', version: 'v1' },
  'meta/v1': { prefix: 'io.k8s.apimachinery.pkg.apis.meta.v1' },
  'api/resource': { prefix: 'io.k8s.apimachinery.pkg.api.resource' },
  runtime: { prefix: 'io.k8s.apimachinery.pkg.runtime' },
};

/** The kinds served (and their lists), as module/Name. */
const ROOTS = [
  ...['Pod', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'Event', 'Namespace', 'Node'].flatMap((k) => [`core/v1/${k}`, `core/v1/${k}List`]),
  'discovery/v1/EndpointSlice',
  'discovery/v1/EndpointSliceList',
  'coordination/v1/Lease',
  'coordination/v1/LeaseList',
  'policy/v1/PodDisruptionBudget',
  'policy/v1/PodDisruptionBudgetList',
  'policy/v1/Eviction',
  'authorization/v1/SelfSubjectAccessReview',
  'authorization/v1/SelfSubjectRulesReview',
  'meta/v1/Status',
  'meta/v1/DeleteOptions',
];

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Definitions no interface gives: string formats the API gives these aliases. */
const ALIAS_FORMATS = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'date-time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'date-time',
};

// Patch strategies of Go struct tags (`patchStrategy:"merge" patchMergeKey:"name"`), as the
// official document carries them (x-kubernetes-patch-strategy / -merge-key).
const PATCH = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { finalizers: ['merge'], ownerReferences: ['merge', 'uid'] },
  'io.k8s.api.core.v1.PodSpec': {
    containers: ['merge', 'name'],
    initContainers: ['merge', 'name'],
    ephemeralContainers: ['merge', 'name'],
    volumes: ['merge,retainKeys', 'name'],
    imagePullSecrets: ['merge', 'name'],
    hostAliases: ['merge', 'ip'],
    topologySpreadConstraints: ['merge', 'topologyKey'],
    resourceClaims: ['merge,retainKeys', 'name'],
    schedulingGates: ['merge', 'name'],
  },
  'io.k8s.api.core.v1.Container': { ports: ['merge', 'containerPort'], env: ['merge', 'name'], volumeMounts: ['merge', 'mountPath'], volumeDevices: ['merge', 'devicePath'] },
  'io.k8s.api.core.v1.EphemeralContainer': { ports: ['merge', 'containerPort'], env: ['merge', 'name'], volumeMounts: ['merge', 'mountPath'], volumeDevices: ['merge', 'devicePath'] },
  'io.k8s.api.core.v1.PodStatus': { conditions: ['merge', 'type'], podIPs: ['merge', 'ip'], hostIPs: ['merge', 'ip'], resourceClaimStatuses: ['merge,retainKeys', 'name'] },
  'io.k8s.api.core.v1.ServiceSpec': { ports: ['merge', 'port'] },
  'io.k8s.api.core.v1.ServiceStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.core.v1.NodeSpec': { podCIDRs: ['merge'] },
  'io.k8s.api.core.v1.NodeStatus': { addresses: ['merge', 'type'], conditions: ['merge', 'type'] },
  'io.k8s.api.core.v1.NamespaceStatus': { conditions: ['merge', 'type'] },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { conditions: ['merge', 'type'] },
};

const str = (description) => ({ description, type: 'string' });
const obj = (description) => ({ description, type: 'object' });

/** Fields of Kubernetes 1.31-1.34 that tinylet accepts (src/api/podSchema.ts) and 1.30's types lack. */
const ADDED = {
  'io.k8s.api.core.v1.Lifecycle': {
    stopSignal: str('StopSignal defines which signal will be sent to a container when it is being stopped. If not specified, the default is defined by the container runtime in use. StopSignal can only be set for Pods with a non-empty .spec.os.name'),
  },
  'io.k8s.api.core.v1.Container': {
    restartPolicyRules: { description: 'Represents a list of rules to be checked to determine if the container should be restarted on exit. The rules are evaluated in order. Once a rule matches a container exit condition, the remaining rules are ignored. If no rule matches the container exit condition, the Container-level restart policy determines the whether the container is restarted or not.', type: 'array', items: obj('ContainerRestartRule describes how a container exit is handled.'), 'x-kubernetes-list-type': 'atomic' },
  },
  'io.k8s.api.core.v1.PodSpec': {
    hostnameOverride: str("HostnameOverride specifies an explicit override for the pod's hostname as perceived by the pod. This field only specifies the pod's hostname and does not affect its DNS records."),
    resources: { $ref: '#/definitions/io.k8s.api.core.v1.ResourceRequirements', description: 'Resources is the total amount of CPU and Memory resources required by all containers in the pod. It supports specifying Requests and Limits for "cpu", "memory" and "hugepages-" resource names only. ResourceClaims are not supported.' },
  },
  'io.k8s.api.core.v1.PodSecurityContext': {
    supplementalGroupsPolicy: str('Defines how supplemental groups of the first container processes are calculated. Valid values are "Merge" and "Strict". If not specified, "Merge" is used.'),
    seLinuxChangePolicy: str('seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod. Valid values are "MountOption" and "Recursive".'),
  },
  'io.k8s.api.core.v1.Volume': {
    image: obj('image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet\'s host machine.'),
  },
  'io.k8s.api.core.v1.EnvVarSource': {
    fileKeyRef: obj('FileKeyRef selects a key of the env file. Requires the EnvFiles feature gate to be enabled.'),
  },
  'io.k8s.api.core.v1.ResourceClaim': {
    request: str('Request is the name chosen for a request in the referenced claim. If empty, everything from the claim is made available, otherwise only the result of this request.'),
  },
};

const files = Object.keys(MODULES).map((m) => join(typesDir, `${m}.d.ts`));
const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true });
const checker = program.getTypeChecker();

function moduleOf(sourceFile) {
  return relative(typesDir, sourceFile.fileName).replace(/\.d\.ts$/, '');
}

/** name -> declaration, per module. */
const decls = new Map();
for (const m of Object.keys(MODULES)) {
  const sf = program.getSourceFile(join(typesDir, `${m}.d.ts`));
  for (const st of sf.statements) {
    if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) decls.set(`${m}/${st.name.text}`, st);
  }
}

function docOf(node) {
  const symbol = checker.getSymbolAtLocation(node.name);
  return symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() : '';
}

const definitions = {};
const queue = [...ROOTS];

function defName(key) {
  const i = key.lastIndexOf('/');
  const mod = key.slice(0, i);
  const spec = MODULES[mod];
  if (!spec) throw new Error(`no prefix for module ${mod}`);
  return `${spec.prefix}.${key.slice(i + 1)}`;
}

function refTo(key) {
  if (!decls.has(key)) throw new Error(`unknown type ${key}`);
  queue.push(key);
  return { $ref: `#/definitions/${defName(key)}` };
}

function schemaOf(typeNode, where) {
  switch (typeNode.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.ObjectKeyword:
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return { type: 'object' };
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: schemaOf(typeNode.elementType, where) };
    case ts.SyntaxKind.LiteralType:
      // apiVersion: "v1", kind: "Pod": strings in the API's documents.
      return { type: 'string' };
    case ts.SyntaxKind.ParenthesizedType:
      return schemaOf(typeNode.type, where);
    case ts.SyntaxKind.UnionType: {
      const kinds = typeNode.types.map((t) => t.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
        definitions[INT_OR_STRING] ??= { description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.', type: 'string', format: 'int-or-string' };
        return { $ref: `#/definitions/${INT_OR_STRING}` };
      }
      throw new Error(`${where}: union ${typeNode.getText()}`);
    }
    case ts.SyntaxKind.TypeLiteral: {
      const index = typeNode.members.find(ts.isIndexSignatureDeclaration);
      if (index) return { type: 'object', additionalProperties: schemaOf(index.type, where) };
      if (typeNode.members.length === 0) return { type: 'object' };
      throw new Error(`${where}: type literal ${typeNode.getText()}`);
    }
    case ts.SyntaxKind.TypeReference: {
      const name = typeNode.typeName.getText();
      if (name === 'Array') return { type: 'array', items: schemaOf(typeNode.typeArguments[0], where) };
      if (name === 'Record') return { type: 'object', additionalProperties: schemaOf(typeNode.typeArguments[1], where) };
      let symbol = checker.getSymbolAtLocation(typeNode.typeName);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const decl = symbol?.declarations?.[0];
      if (!decl) throw new Error(`${where}: cannot resolve ${name}`);
      return refTo(`${moduleOf(decl.getSourceFile())}/${symbol.name}`);
    }
    default:
      throw new Error(`${where}: type ${ts.SyntaxKind[typeNode.kind]} (${typeNode.getText()})`);
  }
}

function build(key) {
  const name = defName(key);
  if (definitions[name]) return;
  const decl = decls.get(key);
  const description = docOf(decl);
  if (ts.isTypeAliasDeclaration(decl)) {
    const base = schemaOf(decl.type, name);
    definitions[name] = { ...(description ? { description } : {}), ...base, ...(ALIAS_FORMATS[name] ? { format: ALIAS_FORMATS[name] } : {}) };
    return;
  }
  const properties = {};
  const required = [];
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const prop = m.name.getText().replace(/^["']|["']$/g, '');
    const s = schemaOf(m.type, `${name}.${prop}`);
    const d = docOf(m);
    // A $ref carries no siblings in JSON Schema, but the API's documents put the description beside it.
    const schema = { ...(d ? { description: d } : {}), ...s };
    const patch = PATCH[name]?.[prop];
    if (patch) {
      if (patch[1]) schema['x-kubernetes-patch-merge-key'] = patch[1];
      schema['x-kubernetes-patch-strategy'] = patch[0];
    }
    properties[prop] = schema;
    if (!m.questionToken) required.push(prop);
  }
  for (const [prop, schema] of Object.entries(ADDED[name] ?? {})) {
    if (properties[prop]) throw new Error(`${name}.${prop} exists already in kubernetes-types ${typesVersion}: drop it from ADDED`);
    properties[prop] = schema;
    if (schema.$ref) queue.push(schema.$ref.replace('#/definitions/io.k8s.api.core.v1.', 'core/v1/'));
  }
  const sorted = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)));
  const def = { ...(description ? { description } : {}), type: 'object', ...(required.length ? { required: required.sort() } : {}), properties: sorted };
  const mod = key.slice(0, key.lastIndexOf('/'));
  const spec = MODULES[mod];
  if (ROOTS.includes(key) && spec.version) def['x-kubernetes-group-version-kind'] = [{ group: spec.group, kind: key.slice(key.lastIndexOf('/') + 1), version: spec.version }];
  if (key === 'meta/v1/Status') def['x-kubernetes-group-version-kind'] = [{ group: '', kind: 'Status', version: 'v1' }];
  if (key === 'meta/v1/DeleteOptions') def['x-kubernetes-group-version-kind'] = [{ group: '', kind: 'DeleteOptions', version: 'v1' }, { group: 'policy', kind: 'DeleteOptions', version: 'v1' }];
  definitions[name] = def;
}

while (queue.length) build(queue.shift());

const sortedDefs = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
const json = JSON.stringify(sortedDefs);
const text = `// GENERATED by scripts/gen-openapi.mjs from kubernetes-types ${typesVersion}: do not edit.
// The OpenAPI v2 definitions of the served kinds and of every type they reference (openapi.ts).
export const DEFINITIONS_SOURCE = 'kubernetes-types ${typesVersion}';
export const DEFINITIONS_JSON = ${JSON.stringify(json)};
`;
if (process.argv.includes('--check')) {
  const current = readFileSync(OUT, 'utf8');
  if (current !== text) {
    console.error(`${relative(root, OUT)} is out of date: run node scripts/gen-openapi.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`${relative(root, OUT)}: ${Object.keys(sortedDefs).length} definitions, ${json.length} bytes`);
}
