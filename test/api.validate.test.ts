import { describe, expect, it } from 'vitest';
import { parseManifests } from '../src/api/manifest.js';
import { defaultPod } from '../src/api/defaults.js';
import { validateObjects, validatePod } from '../src/api/validate.js';
import { type FieldError, ValidationError, formatFieldErrors } from '../src/api/fieldErrors.js';
import type { Pod } from '../src/api/types.js';

/** Parses, defaults and validates a single pod; returns the formatted error and warning lines. */
function check(yaml: string, lenient = false): { errors: string[]; warnings: string[]; raw: FieldError[] } {
  const [doc] = parseManifests(yaml, 'pod.yaml');
  const r = validatePod(defaultPod(doc!.object as Pod), { lenient });
  return { errors: formatFieldErrors(r.errors), warnings: formatFieldErrors(r.warnings), raw: r.errors };
}

/** A valid pod with one container; `extra` is spliced into the container (indented 4 spaces). */
function pod(container = '', spec = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
${spec}  containers:
  - name: app
    image: busybox
${container}`;
}

// The reference manifests users paste in (the study notes' classic examples), copied verbatim.
const EXAMPLES: Record<string, string> = {
  'lifecycle-demo.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: lifecycle-demo
spec:
  containers:
  - name: lifecycle-demo-container
    image: nginx
    lifecycle:
      postStart:
        exec:
          command: ["/bin/sh", "-c", "echo Hello from the postStart handler > /usr/share/message"]
      preStop:
        exec:
          command: ["/bin/sh","-c","nginx -s quit; while killall -0 nginx; do sleep 1; done"]
`,
  'hook-demo.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: hook-demo
  labels:
    app: hook-demo
  namespace: default
spec:
  containers:
    - name: ng-hook-demo
      image: nginx
      ports:
        - containerPort: 80
      lifecycle:
        postStart:
          exec:
            command:
              - /bin/sh
              - -c
              - "echo hello from postStart handler > /usr/share/nginx/html/hello.html"
`,
  'init-pod.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: init-pod
  namespace: default
  labels:
    app: init-pod
spec:
  volumes:
    - name:  workdir
      emptyDir: {}
  initContainers:
    - name: init
      image: busybox
      command:
        - wget
        - "-O"
        - "/work-dir/index.html"
        - http://www.baidu.com
      volumeMounts:
        - name:  workdir
          mountPath:  /work-dir 
  containers:
    - name: ng
      image: nginx:latest
      ports:
      - name:  ng-ports
        containerPort: 80
      volumeMounts:
        - name:  workdir
          mountPath: /usr/share/nginx/html

---
apiVersion: v1
kind: Service
metadata:
  name: init-demo
  namespace: default
spec:
  selector:
    app: init-pod
  type: NodePort
  sessionAffinity: None
  sessionAffinityConfig:
    clientIP:
      timeoutSeconds: 10800
  ports:
  - name: init-demo
    protocol: TCP
    port: 8088
    targetPort: 80
    # If you set the \`spec.type\` field to \`NodePort\` and you want a specific port number,
    # you can specify a value in the \`spec.ports[*].nodePort\` field.
    nodePort: 31505
`,
  'myapp-pod.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  labels:
    app: myapp
spec:
  containers:
    - name: myapp-container
      image: busybox:1.28
      command: ["sh", "-c", "echo The app is running! && sleep 3600"]
  initContainers:
    - name: init-myservice
      image: busybox:1.28
      command:
        [
          "sh",
          "-c",
          "until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done",
        ]
    - name: init-mydb
      image: busybox:1.28
      command:
        [
          "sh",
          "-c",
          "until nslookup mydb.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for mydb; sleep 2; done",
        ]
`,
  'counter.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: counter
  namespace: default
  labels:
   app: pod-counter
spec:
  containers:
  - name: pod-counter
    image: busybox
    args: 
    - bin/sh
    - -c
    - >
      i=0;
      while true;
      do
        echo "$i:$(date)" >> /var/log/1.log;
        i=$((i+1));
        sleep 1;
      done
    volumeMounts:
      - name:  logvol
        mountPath:  /var/log
  - name: counter-pod
    image: busybox
    args:
    - bin/sh
    - -c
    - 'tail -n+1 -f /opt/log/1.log'
    volumeMounts:  #挂载
      - name:  logvol
        mountPath:  /opt/log
  volumes: #声明volumes
    - name:  logvol
      hostPath:
        path:  /root/k8s/varlog
`,
  'liveness-exec.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec
  namespace: default
spec:
  containers:
    - name: liveness-exec
      image: busybox
      args:
      - /bin/sh
      - -c 
      - touch /tmp/healthy; sleep 30; rm -rf /tmp/healthy; sleep 600
      livenessProbe:
        exec:
          command:
            - cat
            - /tmp/healthy
        initialDelaySeconds: 5 #第一次执行探针延迟时间
        periodSeconds: 5 #间隔时间
`,
  'liveness-http.yaml': `# liveness-http.yaml
apiVersion: v1
kind: Pod
metadata:
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: cnych/liveness
    args:
    - /server
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: X-Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
`,
};
describe('the reference examples', () => {
  for (const [file, text] of Object.entries(EXAMPLES)) {
    it(`${file} validates`, () => {
      const r = validateObjects(parseManifests(text, file));
      expect(formatFieldErrors(r.errors)).toEqual([]);
      expect(r.warnings).toEqual([]);
      expect(r.pods).toHaveLength(1);
    });
  }

  it('init-pod.yaml: its Service is served, passed on as written for the server to validate', () => {
    const r = validateObjects(parseManifests(EXAMPLES['init-pod.yaml']!, 'init-pod.yaml'));
    expect(r.errors).toEqual([]);
    expect(r.pods.map((p) => p.metadata?.name)).toEqual(['init-pod']);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/init-demo']);
  });

  it('counter.yaml keeps args as given (bin/sh without a leading slash is a valid string)', () => {
    const r = validateObjects(parseManifests(EXAMPLES['counter.yaml']!, 'counter.yaml'));
    expect(r.pods[0]!.spec!.containers[0]!.args![0]).toBe('bin/sh');
  });
});

describe('a manifest with many problems', () => {
  const broken = `apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  restartPolicy: Sometimes
  contaners: []
  containers:
  - name: web
    image: nginx
    imagePullPolicyy: Always
    livenessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 0
      successThreshold: 2
  - name: web
    ports: [{containerPort: 8080, name: http}]
    readinessProbe:
      tcpSocket: {port: metrics}
`;

  it('lists every one with its field path', () => {
    expect(check(broken).errors).toEqual([
      'spec.contaners: unknown field "contaners"',
      'spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.containers[0].livenessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[1].name: duplicate name "web"',
      'spec.containers[1].image: Required value',
      `spec.containers[1].readinessProbe.tcpSocket.port: Invalid value: "metrics": no port named "metrics" in the container's ports`,
    ]);
  });

  it('classifies them', () => {
    const kinds = check(broken).raw.map((e) => e.kind);
    expect(kinds).toEqual(['invalid', 'invalid', 'unsupported', 'invalid', 'invalid', 'duplicate', 'required', 'invalid']);
  });

  it('rejects the pod in validateObjects and aggregates like the API server', () => {
    const r = validateObjects(parseManifests(broken, 'broken.yaml'));
    expect(r.pods).toEqual([]);
    const err = new ValidationError('Pod', 'broken', r.errors);
    expect(err.message.split('\n')[0]).toBe('Pod "broken" is invalid:');
    expect(err.message.split('\n')[6]).toBe('* spec.containers[1].name: duplicate name "web"');
  });
});

describe('lenient mode', () => {
  const gaps = pod(`    securityContext: {runAsUser: 1000, appArmorProfile: {type: RuntimeDefault}}
`, `  hostPID: true
  volumes:
  - name: cfg
    nfs: {server: nfs.example, path: /export}
`);

  it('reports unimplemented features as errors by default', () => {
    expect(check(gaps).errors).toEqual([
      'spec.hostPID: not implemented by tinylet (use --lenient to ignore it)',
      'spec.containers[0].securityContext.appArmorProfile: AppArmor: not implemented by tinylet (use --lenient to ignore it)',
      'spec.volumes[0].nfs: not implemented by tinylet (use --lenient to ignore it)',
    ]);
  });

  it('turns them into warnings with lenient: true', () => {
    const r = check(gaps, true);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings[0]).toBe('spec.hostPID: not implemented by tinylet (use --lenient to ignore it)');
  });

  it('does not excuse real errors', () => {
    expect(check(pod('    imagePullPolicy: Sometimes\n'), true).errors).toEqual([
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    ]);
  });

  it('accepts scheduling-only fields, with a note for each (schedulerOnlyFields.ts)', () => {
    const r = check(pod('    resources: {limits: {cpu: 500m, memory: 64Mi}}\n', `  nodeName: n1
  nodeSelector: {disk: ssd}
  tolerations: [{key: k, operator: Exists}]
  affinity: {nodeAffinity: {}}
  priorityClassName: high
  serviceAccountName: sa
  hostAliases: [{ip: 10.0.0.1, hostnames: [db.local]}]
  activeDeadlineSeconds: 60
  readinessGates: [{conditionType: example.com/ready}]
  shareProcessNamespace: true
  hostNetwork: false
`));
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.split(':')[0])).toEqual(['spec.nodeSelector', 'spec.affinity', 'spec.tolerations', 'spec.priorityClassName']);
  });
});

describe('metadata and kind', () => {
  it('requires a DNS-1123 subdomain name', () => {
    const { errors } = check(pod().replace('name: p', 'name: My_Pod'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^metadata\.name: Invalid value: "My_Pod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character/);
  });

  it('requires a name or generateName', () => {
    expect(check(pod().replace('  name: p\n', '  labels: {app: x}\n')).errors).toEqual(['metadata.name: Required value: name or generateName is required']);
    expect(check(pod().replace('  name: p\n', '  generateName: web-\n')).errors).toEqual([]);
  });

  it('checks namespace, label keys and label values', () => {
    const { errors } = check(pod().replace('  name: p\n', '  name: p\n  namespace: Prod\n  labels: {"a/b/c": x, ok: "bad value"}\n'));
    expect(errors.map((e) => e.split(': Invalid value')[0])).toEqual(['metadata.namespace', 'metadata.labels', 'metadata.labels[ok]']);
  });

  it('wants apiVersion v1', () => {
    expect(check(pod().replace('apiVersion: v1', 'apiVersion: apps/v1')).errors).toEqual(['apiVersion: Unsupported value: "apps/v1": supported values: "v1"']);
  });

  it('refuses other kinds and objects without kind', () => {
    const r = validateObjects(parseManifests('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\nfoo: bar\n', 'x.yaml'));
    expect(formatFieldErrors(r.errors)).toEqual([
      'x.yaml#1 (Deployment d): kind "Deployment" is not supported',
      'x.yaml#2 (object without kind): kind: Required value: every object needs apiVersion and kind',
    ]);
  });

  it('does not prefix a single document', () => {
    const r = validateObjects(parseManifests(pod('    imagePullPolicy: Sometimes\n'), 'x.yaml'));
    expect(formatFieldErrors(r.errors)[0]).toMatch(/^spec\.containers\[0\]\.imagePullPolicy: /);
  });

  it('rejects the same pod twice in one input', () => {
    const r = validateObjects(parseManifests(`${pod()}---\n${pod()}`, 'x.yaml'));
    expect(r.pods).toHaveLength(1);
    expect(formatFieldErrors(r.errors)).toEqual(['x.yaml#2 (Pod p): metadata.name: duplicate Pod "default/p" (already defined by x.yaml#1)']);
  });
});

describe('strict decoding', () => {
  it('reports unknown fields at any depth', () => {
    const { errors } = check(pod(`    livenessProbe:
      exec: {command: [true]}
      periodSecond: 5
    volumeMounts: [{name: v, mountPath: /v, readonly: true}]
`, '  volumes: [{name: v, emptyDir: {}}]\n'));
    expect(errors).toEqual([
      'spec.containers[0].livenessProbe.exec.command[0]: Invalid value: true: must be a string (quote it in YAML)',
      'spec.containers[0].livenessProbe.periodSecond: unknown field "periodSecond"',
      'spec.containers[0].volumeMounts[0].readonly: unknown field "readonly"',
    ]);
  });

  it('reports wrong types once, without follow-up errors', () => {
    const { errors } = check(pod(`    command: "sleep 10"
    env: [{name: PORT, value: 8080}]
    ports: [{containerPort: "80"}]
`));
    expect(errors).toEqual([
      'spec.containers[0].command: Invalid value: "sleep 10": must be a list',
      'spec.containers[0].env[0].value: Invalid value: 8080: must be a string (quote it in YAML)',
      'spec.containers[0].ports[0].containerPort: Invalid value: "80": must be an integer',
    ]);
  });

  it('accepts lifecycle.stopSignal, which kubernetes-types lacks', () => {
    const r = check(pod('    lifecycle: {stopSignal: SIGUSR1}\n', '  os: {name: linux}\n'));
    expect(r).toMatchObject({ errors: [], warnings: [] });
  });
});

describe('containers', () => {
  it('checks names, duplicates across init and app containers, and images', () => {
    const { errors } = check(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: app, image: busybox}, {name: Setup, image: " busybox"}]
  containers: [{name: app, image: busybox}]
`);
    expect(errors[0]).toBe('spec.initContainers[0].name: duplicate name "app"');
    expect(errors[1]).toMatch(/^spec\.initContainers\[1\]\.name: Invalid value: "Setup": a lowercase RFC 1123 label must consist of/);
    expect(errors[2]).toBe('spec.initContainers[1].image: Invalid value: " busybox": must not have leading or trailing whitespace');
    expect(errors).toHaveLength(3);
  });

  it('requires at least one container', () => {
    expect(check('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n').errors).toEqual(['spec.containers: Required value']);
  });

  it('checks ports', () => {
    const { errors } = check(pod(`    ports:
    - {containerPort: 0}
    - {containerPort: 70000, name: http}
    - {containerPort: 80, name: http, protocol: ICMP}
    - {containerPort: 81, name: Web_1}
`));
    expect(errors).toEqual([
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[2].name: duplicate port name "http"',
      'spec.containers[0].ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[3].name: Invalid value: "Web_1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });

  it('checks env names and fieldRef paths', () => {
    const { errors, warnings } = check(pod(`    env:
    - {name: 1ST, value: x}
    - {name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: B, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: C, valueFrom: {fieldRef: {fieldPath: spec.hostname}}}
    - {name: A, value: again}
    - {name: D, value: x, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
`));
    expect(errors[0]).toMatch(/^spec\.containers\[0\]\.env\[0\]\.name: Invalid value: "1ST": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '\.', and must not start with a digit/);
    expect(errors.slice(1)).toEqual([
      'spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
      'spec.containers[0].env[5].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ]);
    expect(warnings).toEqual(['spec.containers[0].env[4]: hides previous definition of "A", which may be dropped when using apply']);
  });

  it('checks volume mounts against the volumes', () => {
    const { errors } = check(pod(`    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: data, mountPath: /data}
    - {name: nope, mountPath: relative, subPath: ../up}
`, '  volumes: [{name: data, emptyDir: {}}]\n'));
    expect(errors).toEqual([
      'spec.containers[0].volumeMounts[1].mountPath: duplicate mountPath "/data"',
      'spec.containers[0].volumeMounts[2].name: Not found: "nope": no volume of this name in spec.volumes',
      'spec.containers[0].volumeMounts[2].mountPath: Invalid value: "relative": must be an absolute path',
      `spec.containers[0].volumeMounts[2].subPath: Invalid value: "../up": must not contain '..'`,
    ]);
  });

  it('checks resources', () => {
    const { errors } = check(pod('    resources: {limits: {cpu: 500m, memory: lots}, requests: {cpu: "1"}}\n'));
    expect(errors).toEqual([
      `spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      'spec.containers[0].resources.requests[cpu]: Invalid value: "1": must be less than or equal to cpu limit of 500m',
    ]);
  });

  it('forbids restartPolicy on app containers', () => {
    expect(check(pod('    restartPolicy: Always\n')).errors).toEqual(['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers']);
  });
});

describe('init containers and sidecars', () => {
  const withInit = (init: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - name: init
    image: busybox
${init}  containers: [{name: app, image: busybox}]
`;

  it('forbids hooks and probes on plain init containers', () => {
    expect(check(withInit('    livenessProbe: {exec: {command: [x]}}\n    lifecycle: {preStop: {exec: {command: [x]}}}\n')).errors).toEqual([
      'spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    ]);
  });

  it('allows every probe and hook on a sidecar, and validates them', () => {
    const ok = check(withInit(`    restartPolicy: Always
    readinessProbe: {exec: {command: ["true"]}}
    livenessProbe: {exec: {command: ["true"]}}
    startupProbe: {exec: {command: ["true"]}}
    lifecycle: {postStart: {exec: {command: ["true"]}}}
`));
    expect(ok.errors).toEqual([]);
    expect(check(withInit('    restartPolicy: Always\n    startupProbe: {exec: {command: ["true"]}, successThreshold: 3}\n')).errors).toEqual([
      'spec.initContainers[0].startupProbe.successThreshold: Invalid value: 3: must be 1',
    ]);
  });

  it('accepts only Always as an init container restartPolicy', () => {
    expect(check(withInit('    restartPolicy: OnFailure\n')).errors).toEqual(['spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']);
  });
});

describe('probes', () => {
  it('needs exactly one handler', () => {
    expect(check(pod('    livenessProbe: {periodSeconds: 5}\n')).errors).toEqual(['spec.containers[0].livenessProbe: Required value: must specify a handler type']);
    expect(check(pod('    readinessProbe: {exec: {command: [x]}, tcpSocket: {port: 80}}\n')).errors).toEqual([
      'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    ]);
  });

  it('checks every timing', () => {
    const { errors } = check(pod(`    readinessProbe:
      exec: {command: [x]}
      initialDelaySeconds: -1
      timeoutSeconds: 0
      periodSeconds: 0
      successThreshold: 0
      failureThreshold: 0
      terminationGracePeriodSeconds: 5
`));
    expect(errors).toEqual([
      'spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.containers[0].readinessProbe.timeoutSeconds: Invalid value: 0: must be greater than or equal to 1',
      'spec.containers[0].readinessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1',
      'spec.containers[0].readinessProbe.successThreshold: Invalid value: 0: must be greater than or equal to 1',
      'spec.containers[0].readinessProbe.failureThreshold: Invalid value: 0: must be greater than or equal to 1',
      'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes',
    ]);
  });

  it('allows successThreshold > 1 on readiness only', () => {
    expect(check(pod('    readinessProbe: {exec: {command: [x]}, successThreshold: 2}\n')).errors).toEqual([]);
    expect(check(pod('    livenessProbe: {exec: {command: [x]}, terminationGracePeriodSeconds: 0}\n')).errors).toEqual([
      'spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0',
    ]);
  });

  it('checks httpGet ports, names and schemes', () => {
    const { errors } = check(pod(`    ports: [{name: http, containerPort: 8080}]
    livenessProbe: {httpGet: {port: http}}
    readinessProbe: {httpGet: {port: 0, scheme: FTP}}
    startupProbe: {httpGet: {port: admin, httpHeaders: [{name: "bad header", value: x}]}}
`));
    expect(errors).toEqual([
      'spec.containers[0].readinessProbe.httpGet.port: Required value',
      'spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
      `spec.containers[0].startupProbe.httpGet.port: Invalid value: "admin": no port named "admin" in the container's ports`,
      `spec.containers[0].startupProbe.httpGet.httpHeaders[0].name: Invalid value: "bad header": a valid HTTP header must consist of alphanumeric characters, '-' and special characters such as '!#$%&'*+.^_\`|~'`,
    ]);
  });

  it('checks exec commands and tcpSocket ports', () => {
    expect(check(pod('    livenessProbe: {exec: {command: []}}\n    readinessProbe: {tcpSocket: {port: 65536}}\n')).errors).toEqual([
      'spec.containers[0].livenessProbe.exec.command: Required value',
      'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: 65536: must be between 1 and 65535, inclusive',
    ]);
  });
});

describe('lifecycle', () => {
  it('checks hook handlers, sleep bounds and the stop signal', () => {
    const { errors, warnings } = check(pod(`    lifecycle:
      postStart: {exec: {command: [x]}, sleep: {seconds: 1}}
      preStop: {sleep: {seconds: 45}}
      stopSignal: TERM
`));
    expect(errors).toEqual([
      'spec.containers[0].lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: 45: must be non-negative and less than terminationGracePeriodSeconds (30)',
      'spec.containers[0].lifecycle.stopSignal: Unsupported value: "TERM": must be a Linux signal name such as "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2" or "SIGWINCH"',
    ]);
    expect(warnings).toEqual(['spec.containers[0].lifecycle.stopSignal: a cluster requires spec.os.name (e.g. linux) with stopSignal; tinylet assumes linux']);
  });

  it('accepts sleep 0 and up to the grace period, and warns about tcpSocket hooks', () => {
    const r = check(pod('    lifecycle: {postStart: {sleep: {seconds: 0}}, preStop: {tcpSocket: {port: 80}}}\n', '  terminationGracePeriodSeconds: 5\n'));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(['spec.containers[0].lifecycle.preStop.tcpSocket: deprecated: tcpSocket is not supported as a lifecycle handler, the hook fails when it runs']);
  });
});

describe('pod spec and volumes', () => {
  it('checks grace, deadline, dnsPolicy and hostname', () => {
    const { errors } = check(pod('', '  terminationGracePeriodSeconds: -1\n  activeDeadlineSeconds: 0\n  dnsPolicy: Custom\n  hostname: Web.1\n'));
    expect(errors.map((e) => e.split(':')[0])).toEqual(['spec.terminationGracePeriodSeconds', 'spec.activeDeadlineSeconds', 'spec.dnsPolicy', 'spec.hostname']);
    expect(errors[1]).toBe('spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive');
  });

  it('checks volume names, sources and hostPath', () => {
    const { errors } = check(pod('', `  volumes:
  - {name: a, emptyDir: {}}
  - {name: a, emptyDir: {medium: Disk}}
  - {name: b, emptyDir: {}, hostPath: {path: /x}}
  - {name: c, hostPath: {path: var/log, type: Folder}}
`));
    expect(errors).toEqual([
      'spec.volumes[1].name: duplicate name "a"',
      'spec.volumes[1].emptyDir.medium: Unsupported value: "Disk": supported values: "", "Memory", "HugePages"',
      'spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[3].hostPath.path: Invalid value: "var/log": must be an absolute path',
      'spec.volumes[3].hostPath.type: Unsupported value: "Folder": supported values: "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"',
    ]);
  });

  it('requires hostPort to equal containerPort with hostNetwork', () => {
    expect(check(pod('    ports: [{containerPort: 80, hostPort: 8080}]\n', '  hostNetwork: true\n')).errors).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 80: must match `hostPort` when `hostNetwork` is true',
    ]);
  });
});

describe('securityContext', () => {
  it('accepts what a kubelet honours or ignores on Linux', () => {
    const r = check(pod(`    securityContext:
      runAsUser: 1000
      runAsGroup: 1000
      runAsNonRoot: true
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {add: [NET_ADMIN], drop: [ALL]}
      seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
      appArmorProfile: {type: Unconfined}
      seLinuxOptions: {level: "s0:c123,c456"}
      windowsOptions: {runAsUserName: "ContainerUser"}
      procMount: Default
`, `  securityContext:
    fsGroup: 2000
    fsGroupChangePolicy: OnRootMismatch
    supplementalGroups: [3000]
    supplementalGroupsPolicy: Strict
    seLinuxChangePolicy: Recursive
    seccompProfile: {type: RuntimeDefault}
    sysctls: [{name: kernel.shm_rmid_forced, value: "1"}, {name: net/ipv4/ip_local_port_range, value: "1024 65535"}]
`));
    expect(r).toMatchObject({ errors: [], warnings: [] });
  });

  it('checks user and group ids with the API server wording', () => {
    expect(check(pod('    securityContext: {runAsUser: -1, runAsGroup: 2147483648}\n', '  securityContext: {runAsUser: 2147483648, fsGroup: -5, supplementalGroups: [1, -1]}\n')).errors).toEqual([
      'spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.containers[0].securityContext.runAsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.fsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.supplementalGroups[1]: Invalid value: -1: must be between 0 and 2147483647, inclusive',
    ]);
  });

  it('decodes securityContext strictly', () => {
    expect(check(pod('    securityContext: {runAsUsr: 1000, privileged: "yes"}\n')).errors).toEqual([
      'spec.containers[0].securityContext.runAsUsr: unknown field "runAsUsr"',
      'spec.containers[0].securityContext.privileged: Invalid value: "yes": must be true or false',
    ]);
  });

  it('checks the enums', () => {
    expect(check(pod('    securityContext: {procMount: Masked}\n', '  securityContext: {fsGroupChangePolicy: Sometimes, supplementalGroupsPolicy: Loose, seLinuxChangePolicy: MountOption}\n')).errors).toEqual([
      'spec.containers[0].securityContext.procMount: Unsupported value: "Masked": supported values: "Default", "Unmasked"',
      'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"',
      'spec.securityContext.supplementalGroupsPolicy: Unsupported value: "Loose": supported values: "Merge", "Strict"',
      'spec.securityContext.seLinuxChangePolicy: Unsupported value: "MountOption": supported values: "Recursive"',
    ]);
  });

  it('checks seccomp profiles', () => {
    const { errors } = check(pod(`    securityContext: {seccompProfile: {type: Localhost}}
  - name: b
    image: busybox
    securityContext: {seccompProfile: {type: Localhost, localhostProfile: ../etc/x.json}}
  - name: c
    image: busybox
    securityContext: {seccompProfile: {type: RuntimeDefault, localhostProfile: x.json}}
  - name: d
    image: busybox
    securityContext: {seccompProfile: {localhostProfile: /x.json}}
`, '  securityContext: {seccompProfile: {type: Default}}\n'));
    expect(errors).toEqual([
      'spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost',
      `spec.containers[1].securityContext.seccompProfile.localhostProfile: Invalid value: "../etc/x.json": must not contain '..'`,
      'spec.containers[2].securityContext.seccompProfile.localhostProfile: Invalid value: {"type":"RuntimeDefault","localhostProfile":"x.json"}: can only be set when seccomp type is Localhost',
      'spec.containers[3].securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set',
      'spec.containers[3].securityContext.seccompProfile.localhostProfile: Invalid value: {"localhostProfile":"/x.json"}: can only be set when seccomp type is Localhost',
      'spec.securityContext.seccompProfile.type: Unsupported value: "Default": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
    ]);
  });

  it('checks AppArmor profiles, and refuses confining ones as not implemented', () => {
    const { errors } = check(pod(`    securityContext: {appArmorProfile: {type: Localhost, localhostProfile: " k8s-deny "}}
  - name: b
    image: busybox
    securityContext: {appArmorProfile: {type: Unconfined, localhostProfile: x}}
`, '  securityContext: {appArmorProfile: {type: RuntimeDefault}}\n'));
    expect(errors).toEqual([
      'spec.containers[0].securityContext.appArmorProfile.localhostProfile: Invalid value: " k8s-deny ": must not be padded with whitespace',
      'spec.containers[1].securityContext.appArmorProfile.localhostProfile: Invalid value: "x": can only be set when AppArmor type is Localhost',
      'spec.securityContext.appArmorProfile: AppArmor: not implemented by tinylet (use --lenient to ignore it)',
      'spec.containers[0].securityContext.appArmorProfile: AppArmor: not implemented by tinylet (use --lenient to ignore it)',
    ]);
    expect(check(pod('', '  securityContext: {appArmorProfile: {}}\n')).errors).toEqual(['spec.securityContext.appArmorProfile.type: Required value: type is required when appArmorProfile is set', 'spec.securityContext.appArmorProfile: AppArmor: not implemented by tinylet (use --lenient to ignore it)']);
  });

  it('refuses allowPrivilegeEscalation: false with privileged or an added CAP_SYS_ADMIN', () => {
    const { errors } = check(pod(`    securityContext: {allowPrivilegeEscalation: false, privileged: true}
  - name: b
    image: busybox
    securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [CAP_SYS_ADMIN]}}
  - name: c
    image: busybox
    securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [SYS_ADMIN]}}
`));
    expect(errors).toEqual([
      'spec.containers[0].securityContext: Invalid value: {"allowPrivilegeEscalation":false,"privileged":true}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      'spec.containers[1].securityContext: Invalid value: {"allowPrivilegeEscalation":false,"capabilities":{"add":["CAP_SYS_ADMIN"]}}: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
    ]);
  });

  it('needs hostUsers: false for procMount Unmasked', () => {
    expect(check(pod('    securityContext: {procMount: Unmasked}\n')).errors).toEqual([
      'spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`',
    ]);
    expect(check(pod('    securityContext: {procMount: Unmasked}\n', '  hostUsers: false\n')).errors).toEqual([
      'spec.hostUsers: not implemented by tinylet (use --lenient to ignore it)',
      'spec.containers[0].securityContext.procMount: not implemented by tinylet (use --lenient to ignore it)',
    ]);
  });

  it('checks sysctl names, duplicates and host namespaces', () => {
    const { errors } = check(pod('', `  hostNetwork: true
  securityContext:
    sysctls:
    - {name: "", value: "1"}
    - {name: Kernel.Shm, value: "1"}
    - {name: kernel.shm_rmid_forced, value: "1"}
    - {name: kernel.shm_rmid_forced, value: "0"}
    - {name: net.core.somaxconn, value: "1024"}
`));
    expect(errors).toEqual([
      'spec.securityContext.sysctls[0].name: Required value',
      'spec.securityContext.sysctls[1].name: Invalid value: "Kernel.Shm": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$',
      'spec.securityContext.sysctls[3].name: duplicate sysctl "kernel.shm_rmid_forced"',
      `spec.securityContext.sysctls[4].name: Invalid value: "net.core.somaxconn": may not be specified when 'hostNetwork' is true`,
    ]);
  });

  it('forbids windowsOptions on a pod that declares os.name linux', () => {
    const { errors } = check(pod('    securityContext: {windowsOptions: {hostProcess: false}}\n', '  os: {name: linux}\n  securityContext: {windowsOptions: {runAsUserName: "a\\\\b\\\\c"}}\n'));
    expect(errors).toEqual([
      'spec.securityContext.windowsOptions.runAsUserName: Invalid value: "a\\\\b\\\\c": runAsUserName cannot contain more than one backslash',
      'spec.securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod',
      'spec.containers[0].securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod',
    ]);
  });

  it('refuses the deprecated AppArmor annotations unless unconfined', () => {
    const r = check(pod().replace('  name: p\n', '  name: p\n  annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default}\n'));
    expect(r.errors).toEqual(['metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: AppArmor: not implemented by tinylet (use --lenient to ignore it)']);
  });
});

describe('volume paths', () => {
  it('rejects `..` in mountPath, subPath and hostPath.path, and accepts a colon', () => {
    const { errors } = check(pod(`    volumeMounts:
    - {name: data, mountPath: /a/../etc}
    - {name: data, mountPath: "/a:b"}
    - {name: data, mountPath: /c, subPathExpr: "$(POD)/../x"}
`, '  volumes: [{name: data, emptyDir: {}}, {name: h, hostPath: {path: /var/../etc}}]\n'));
    expect(errors).toEqual([
      `spec.volumes[1].hostPath.path: Invalid value: "/var/../etc": must not contain '..'`,
      `spec.containers[0].volumeMounts[0].mountPath: Invalid value: "/a/../etc": must not contain '..'`,
      `spec.containers[0].volumeMounts[2].subPathExpr: Invalid value: "$(POD)/../x": must not contain '..'`,
    ]);
  });
});
