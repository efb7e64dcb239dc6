#!/usr/bin/env bash
# The stock kubectl the tests drive: Debian's kubernetes-client (1.20). When another package already
# owns /usr/bin/kubectl, the Debian binary is unpacked into .cache/kubectl instead of replacing it.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/kubectl
[ -x "$dest/kubectl" ] && exit 0
mkdir -p "$dest"
if dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null | grep -q "install ok installed"; then
  ln -sf /usr/bin/kubectl "$dest/kubectl"
  exit 0
fi
if ! command -v kubectl >/dev/null 2>&1 && apt-get install -y -qq kubernetes-client >/dev/null 2>&1; then
  ln -sf /usr/bin/kubectl "$dest/kubectl"
  exit 0
fi
tmp=$(mktemp -d)
(cd "$tmp" && apt-get download kubernetes-client >/dev/null)
dpkg -x "$tmp"/kubernetes-client_*.deb "$tmp/root"
cp "$tmp/root/usr/bin/kubectl" "$dest/kubectl"
rm -rf "$tmp"
