"""The official Python client (Debian's python3-kubernetes) drains, attaches and port-forwards.

Run by test/server.python.test.ts with TINYLET_HOST, TINYLET_TOKEN and TINYLET_NODE, after it made
the pods py-attach (stdin: true, echoes what it reads), py-web (httpd on 8080) and py-web-a/b/c
(label app=py-web, Ready) and a PodDisruptionBudget py-web (minAvailable: 2). Each step is what a
program written against the client does; prints one JSON document of what it saw.
"""
import json
import os
import sys
import time

from kubernetes import client
from kubernetes.stream import portforward, stream


def apis():
    conf = client.Configuration()
    conf.host = os.environ["TINYLET_HOST"]
    conf.api_key = {"authorization": os.environ["TINYLET_TOKEN"]}
    conf.api_key_prefix = {"authorization": "Bearer"}
    conf.verify_ssl = False
    api = client.ApiClient(conf)
    return client.CoreV1Api(api), client.PolicyV1Api(api)


def attach(v1, ns):
    """Attach with stdin: a line in, its echo out; the container keeps running afterwards."""
    ws = stream(v1.connect_get_namespaced_pod_attach, "py-attach", ns, stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
    ws.write_stdin("ping\n")
    got = ""
    deadline = time.monotonic() + 10
    while ws.is_open() and "echo:ping" not in got and time.monotonic() < deadline:
        ws.update(timeout=1)
        got += ws.read_stdout()
    ws.close()
    return got


def forward(v1, ns):
    """An HTTP request through pods/portforward to port 8080 in the pod's network namespace."""
    pf = portforward(v1.connect_get_namespaced_pod_portforward, "py-web", ns, ports="8080")
    sock = pf.socket(8080)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.0\r\nHost: pod\r\n\r\n")
    data = b""
    deadline = time.monotonic() + 10
    sock.settimeout(2)
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    sock.close()
    err = pf.error(8080)
    pf.close()
    return {"response": data.decode(errors="replace"), "error": err}


def evict(v1, ns, name):
    body = client.V1Eviction(metadata=client.V1ObjectMeta(name=name, namespace=ns))
    try:
        v1.create_namespaced_pod_eviction(name, ns, body)
        return {"status": 201}
    except client.exceptions.ApiException as e:
        return {"status": e.status, "body": json.loads(e.body)}


def main():
    v1, policy = apis()
    ns = "default"
    node = os.environ["TINYLET_NODE"]
    out = {"attach": attach(v1, ns), "forward": forward(v1, ns)}
    out["attach_after"] = v1.read_namespaced_pod("py-attach", ns).status.phase

    # kubectl drain's steps: cordon, then an eviction per pod, retried while the budget forbids it.
    v1.patch_node(node, {"spec": {"unschedulable": True}})
    out["cordoned"] = v1.read_node(node).spec.unschedulable
    out["pdb"] = policy.read_namespaced_pod_disruption_budget("py-web", ns).status.to_dict()
    out["evict_a"] = evict(v1, ns, "py-web-a")
    out["evict_b"] = evict(v1, ns, "py-web-b")
    policy.delete_namespaced_pod_disruption_budget("py-web", ns)
    out["evict_b_after"] = evict(v1, ns, "py-web-b")
    v1.patch_node(node, {"spec": {"unschedulable": False}})
    json.dump(out, sys.stdout, default=str)


main()
