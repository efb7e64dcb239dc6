#!/usr/bin/env bash
# The stock kubectl the tests drive: Debian's kubernetes-client (1.20), in .cache/kubectl. When the
# package is installed its binary is linked; otherwise the .deb is fetched (apt-get download, no root
# needed) and only unpacked there, so `npm install` never replaces a kubectl the machine already has.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/kubectl
[ -x "$dest/kubectl" ] && exit 0
mkdir -p "$dest"
if dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null | grep -q "install ok installed"; then
  ln -sf /usr/bin/kubectl "$dest/kubectl"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt's download sandbox user must be able to write there, or apt warns that it runs unsandboxed.
chmod 0777 "$tmp"
if ! out=$(cd "$tmp" && apt-get download -q kubernetes-client 2>&1); then
  echo "$out" >&2
  exit 1
fi
dpkg -x "$tmp"/kubernetes-client_*.deb "$tmp/root"
cp "$tmp/root/usr/bin/kubectl" "$dest/kubectl"
