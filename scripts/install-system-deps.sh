#!/usr/bin/env bash
# Installs the system packages the test suite drives for real, when they are missing:
# clickhouse-server (Debian's package) for the server-engine transport tests, prometheus
# (with promtool) scraping /metrics, prometheus-alertmanager receiving alerts, and chromium
# (driven by playwright-core) for the review UI's browser tests.
# Needs root or sudo and apt; elsewhere it says what to install and leaves the decision to
# the tests (they skip the server tests locally, and fail in CI where CI=true).
set -euo pipefail

packages=()
[ -x /usr/sbin/clickhouse-server ] || packages+=(clickhouse-server)
[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] || packages+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || packages+=(prometheus-alertmanager)
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-system-deps: missing ${packages[*]}; install them with apt-get (needs root)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing ${packages[*]} and apt-get is not available" >&2
  exit 0
fi

echo "install-system-deps: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# The packages start system-wide services; the tests start their own on free ports.
if command -v service >/dev/null 2>&1; then
  for service in clickhouse-server prometheus prometheus-alertmanager prometheus-node-exporter; do
    "${sudo[@]}" service "$service" stop >/dev/null 2>&1 || true
  done
fi
