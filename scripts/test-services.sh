#!/usr/bin/env bash
# Prepare what the test suite uses: Debian's Chromium (when root), PostgreSQL and Redis
# (started when installed but stopped). Never fails the run: missing pieces make tests skip.
set -u
pg_ready() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 -t 3; }
if [ "${1:-}" = "--pg-ready" ]; then pg_ready; exit $?; fi

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's chromium for the browser tests =="
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "!! chromium could not be installed: the browser tests will be skipped"
  else
    echo "!! /usr/bin/chromium is missing and this user cannot install it: the browser tests will be skipped"
  fi
fi

if ! pg_ready && [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then
  echo "== starting PostgreSQL =="
  for v in /etc/postgresql/*; do pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true; done
  for _ in $(seq 1 20); do pg_ready && break; sleep 0.5; done
fi

if command -v redis-server >/dev/null && ! (command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1); then
  echo "== starting Redis =="
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
exit 0
