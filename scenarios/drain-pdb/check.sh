#!/bin/sh
# The drain-pdb walkthrough as a script: run it against a tinylet agent with KUBECONFIG set
# (`tinylet kubeconfig > kc.yaml`); KUBECTL picks the kubectl binary (default: kubectl).
# Exit 0 when the drain went as the README says; it cleans up the pods, the budget and the cordon.
set -u
k() { "${KUBECTL:-kubectl}" "$@"; }
here=$(dirname "$0")
node=$(k get nodes -o jsonpath='{.items[0].metadata.name}') || { echo "FAIL: no node"; exit 1; }
failed=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi; }
cleanup() { k uncordon "$node" >/dev/null 2>&1; k delete -f "$here/workload.yaml" --ignore-not-found --wait=false >/dev/null 2>&1; }
trap cleanup EXIT

k apply -f "$here/workload.yaml"
k wait --for=condition=Ready pod -l app=web --timeout=60s
echo "# drain with the budget in place (12 s timeout)"
out=$(k drain "$node" --ignore-daemonsets --delete-emptydir-data --force --timeout=12s 2>&1); rc=$?
echo "$out"
check "the drain fails" '[ $rc -ne 0 ]'
check "the drain cordoned the node" 'echo "$out" | grep -q "cordoned"'
check "evictions were refused with the budget's 429" 'echo "$out" | grep -q "Cannot evict pod as it would violate the pod'"'"'s disruption budget"'
left=$(k get pods -l app=web --no-headers 2>/dev/null | grep -vc Terminating)
check "two web pods are left (minAvailable 2), got $left" '[ "$left" = 2 ]'
check "the node is unschedulable" '[ "$(k get node "$node" -o jsonpath="{.spec.unschedulable}")" = true ]'
echo "# delete the budget and drain again"
k delete pdb web
out=$(k drain "$node" --ignore-daemonsets --delete-emptydir-data --force --timeout=60s 2>&1); rc=$?
echo "$out"
check "the second drain succeeds" '[ $rc -eq 0 ]'
check "no web pod is left" '[ -z "$(k get pods -l app=web --no-headers 2>/dev/null)" ]'
k uncordon "$node"
[ $failed = 0 ] && echo "drain-pdb: as expected" || echo "drain-pdb: did not go as expected"
exit $failed
