"""The official Kubernetes Python client (Debian's python3-kubernetes) against a tinylet agent.

Run by test/server.python.test.ts with TINYLET_HOST (https://127.0.0.1:PORT) and TINYLET_TOKEN.
The client sends booleans as Python prints them (watch=True, follow=True, previous=True,
timestamps=True, stdin=True, tty=True) and deserialises every reply into its models, so this also
checks that tinylet's objects carry what those models require. Prints one JSON document.
"""
import json
import os
import sys
import time

from kubernetes import client, watch
from kubernetes.stream import stream


def exec_with_stdin(v1, ns, script, text, tty):
    """Runs script in py-shell with text on its stdin (stdin=True, tty as given); its stdout."""
    ws = stream(v1.connect_get_namespaced_pod_exec, "py-shell", ns, command=["sh", "-c", script], stdin=True, stdout=True, stderr=not tty, tty=tty, _preload_content=False)
    ws.write_stdin(text)
    got = ""
    deadline = time.monotonic() + 10
    while ws.is_open() and time.monotonic() < deadline:
        ws.update(timeout=1)
        got += ws.read_stdout()
    ws.close()
    return got


def api():
    conf = client.Configuration()
    conf.host = os.environ["TINYLET_HOST"]
    conf.api_key = {"authorization": os.environ["TINYLET_TOKEN"]}
    conf.api_key_prefix = {"authorization": "Bearer"}
    conf.verify_ssl = False
    return client.CoreV1Api(client.ApiClient(conf))


def main():
    v1 = api()
    ns = "default"
    out = {}

    out["pods"] = sorted(p.metadata.name for p in v1.list_namespaced_pod(ns).items)

    # A watch with a server-side timeout: the stream must be a watch (not a list) and end by itself.
    started = time.monotonic()
    events = []
    for ev in watch.Watch().stream(v1.list_namespaced_pod, ns, field_selector="metadata.name=py-chatty", timeout_seconds=2):
        events.append([ev["type"], ev["object"].metadata.name])
    out["watch"] = events
    out["watch_seconds"] = round(time.monotonic() - started, 1)

    out["log"] = v1.read_namespaced_pod_log("py-follow", ns)
    out["previous"] = v1.read_namespaced_pod_log("py-chatty", ns, previous=True)
    out["timestamps"] = v1.read_namespaced_pod_log("py-chatty", ns, previous=True, timestamps=True, tail_lines=1)

    # follow=True: the lines as they come, until the container exits.
    started = time.monotonic()
    resp = v1.read_namespaced_pod_log("py-slow", ns, follow=True, _preload_content=False)
    out["follow"] = b"".join(resp.stream()).decode()
    out["follow_seconds"] = round(time.monotonic() - started, 1)

    out["exec"] = stream(v1.connect_get_namespaced_pod_exec, "py-shell", ns, command=["sh", "-c", "echo out; echo err >&2"], stdin=False, stdout=True, stderr=True, tty=False)

    out["exec_stdin"] = exec_with_stdin(v1, ns, "read x; echo got:$x", "abc\n", tty=False)
    out["exec_tty"] = exec_with_stdin(v1, ns, "read x; echo got:$x; tty", "tty\n", tty=True)

    try:
        v1.read_namespaced_pod("nope", ns)
    except client.exceptions.ApiException as e:
        out["not_found"] = {"status": e.status, "body": json.loads(e.body)}

    json.dump(out, sys.stdout)


main()
