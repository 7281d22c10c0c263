#!/usr/bin/env bash
# Installs what `npm run bench` compares against and npm does not provide: nginx (one row of the
# table) and redis-server (the Redis-backed rows). Rows whose tool is missing are marked absent.
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The bench starts its own nginx with its own config; a packaged one started by the install is not used.
echo "bench setup: nginx $( (nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1) | sed 's/.*nginx\///'), $(redis-server --version | cut -d' ' -f3)"
