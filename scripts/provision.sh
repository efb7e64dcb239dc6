#!/usr/bin/env bash
# Makes a Debian/Ubuntu machine ready for tinylet, as root: Node.js 20 or later, then the Debian
# packages (scripts/install-deps.mjs, the same step `npm install` runs). The Vagrantfile provisions
# the workshop VM with it and .ci/run runs it on the CI machine, so the VM's set-up is the one CI
# proves. Everything comes from apt repositories. Usage: provision.sh [REPO_DIR]
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/.." && pwd)}
export DEBIAN_FRONTEND=noninteractive

# NodeSource's repository signing key, as published at deb.nodesource.com/gpgkey/nodesource-repo.gpg.key.
NODESOURCE_FPR=6F71F525282841EEDAF851B42F59B5F99B1BE0B4
keyring=/usr/share/keyrings/nodesource.gpg

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Debian 12 ships Node.js 18 and tinylet needs 20 (package.json engines): NodeSource's apt
# repository is the packaged route to it. A machine with Node 20+ (this CI machine) skips this.
if [ "$(node_major)" -lt 20 ]; then
  echo "provision: Node.js $(node -v 2>/dev/null || echo 'is missing'); installing Node.js 20 from NodeSource's apt repository"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends ca-certificates curl gnupg >/dev/null
  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o "$keyring"
  if ! gpg --show-keys --with-colons "$keyring" | grep -q "^fpr:.*:$NODESOURCE_FPR:$"; then
    echo "provision: the NodeSource key is not $NODESOURCE_FPR; refusing to use it" >&2
    rm -f "$keyring"
    exit 1
  fi
  cat >/etc/apt/sources.list.d/nodesource.sources <<EOF
Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
Signed-By: $keyring
EOF
  apt-get update -qq
  # NodeSource's nodejs includes npm (and replaces Debian's npm package if one is installed).
  apt-get install -y -qq nodejs >/dev/null
  echo "provision: Node.js $(node -v), npm $(npm -v)"
fi

node "$repo/scripts/install-deps.mjs"
