#!/usr/bin/env bash
# tinylet verify in CI: load an image built earlier in the job and check that the app shuts down
# right when Kubernetes deletes its pod. Writes a JUnit report; exits non-zero when a check failed.
#
#   TINYLET_DIR   a tinylet checkout (cloned and set up by this script when it has no dist/ yet)
#   IMAGE_ARCHIVE `docker save` output of the app's image (optional: host-backed images need none)
#   MANIFEST      the app's Pod / Deployment manifest (a Deployment runs as one pod: --as-pod)
#   REPORT        where the JUnit XML goes (default verify-report.xml)
#   TIMELINE      also write the pods' timeline picture here (.html or .svg; optional): probe ticks,
#                 hooks, signals and the pod's endpoints, to see why a check failed
#   VERIFY_ARGS   extra arguments for tinylet verify (e.g. "--load service/web:80 --grace-period 5")
#   TINYLET_CONFIG an agent config file (optional)
# Must run as root (namespaces, cgroups, the pod bridge): on a GitHub runner, `sudo -E`.
set -euo pipefail

: "${TINYLET_DIR:?set TINYLET_DIR to a tinylet checkout}"
: "${MANIFEST:?set MANIFEST to the app manifest}"
REPORT="${REPORT:-verify-report.xml}"

if [ ! -f "$TINYLET_DIR/dist/src/cli/main.js" ]; then
  # Node.js 20 and the Debian/Ubuntu packages, then dependencies and the build (README: Set up).
  bash "$TINYLET_DIR/scripts/provision.sh"
  (cd "$TINYLET_DIR" && npm ci)
fi

tinylet() { node "$TINYLET_DIR/dist/src/cli/main.js" "$@" ${TINYLET_CONFIG:+--config "$TINYLET_CONFIG"}; }

if [ -n "${IMAGE_ARCHIVE:-}" ]; then
  tinylet image load "$IMAGE_ARCHIVE"
fi

# shellcheck disable=SC2086 # VERIFY_ARGS is a list of arguments
tinylet verify -f "$MANIFEST" --junit "$REPORT" ${TIMELINE:+--timeline "$TIMELINE"} ${VERIFY_ARGS:-}
