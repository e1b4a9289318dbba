#!/usr/bin/env bash
# Installs the Debian packages the tests use, when missing: independent TDS clients that
# cross-check the simulator (FreeTDS tsql, pytds, jTDS), openssl for certificates and strict TLS,
# iproute2 + iptables + conntrack for the netlab namespaces, chromium for the status page's browser
# test, bsdutils for `script` (a pseudo-terminal for the CLI's terminal output), prometheus (the
# server and promtool) for the Prometheus tests. Runs before every `npm test`.
set -euo pipefail
PACKAGES=(freetds-bin python3-tds python3-openssl libjtds-java default-jre-headless openssl iproute2 iptables conntrack chromium bsdutils prometheus)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "sqlprobe tests need these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing test packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
