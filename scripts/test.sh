#!/usr/bin/env bash
# Runs the whole test suite: `cargo test --locked`, with a PostgreSQL server for the store
# tests that run against both backends. Uses FORGEHAND_TEST_POSTGRES_URL when it is set;
# otherwise installs (Debian/Ubuntu, apt) and starts a local PostgreSQL and creates the
# `forgehand` role and database. Installs Chromium and chromedriver (Debian/Ubuntu, apt) for
# the operations page's browser test when `chromedriver` is missing. Extra arguments go to
# `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }

if [ -z "${FORGEHAND_TEST_POSTGRES_URL:-}" ]; then
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "installing PostgreSQL for the store tests…" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main"; then
    as_root pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    as_root pg_ctlcluster "$version" main start
  fi
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
  as_postgres "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'forgehand'\" | grep -q 1 ||
    psql -p $port -qc \"CREATE ROLE forgehand LOGIN PASSWORD 'forgehand'\""
  as_postgres "psql -p $port -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'forgehand'\" | grep -q 1 ||
    createdb -p $port -O forgehand forgehand"
  export FORGEHAND_TEST_POSTGRES_URL="postgres://forgehand:forgehand@127.0.0.1:$port/forgehand"
fi

if ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing Chromium and chromedriver for the operations page's browser test…" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
fi

exec cargo test --locked "$@"
