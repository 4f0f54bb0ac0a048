#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests and prints its URL on the last line.
#   eval "$(bash tools/start-test-postgres.sh --export)"   # sets GRIDDESK_TEST_PG_URL
# Installs Debian's postgresql package when no server binaries are found. The cluster
# lives under ${GRIDDESK_PG_DIR:-/tmp/griddesk-test-pg}, listens on 127.0.0.1:${GRIDDESK_PG_PORT:-54329}
# and trusts local connections (test use only). Running it again reuses a running server.
set -euo pipefail
PORT="${GRIDDESK_PG_PORT:-54329}"
DIR="${GRIDDESK_PG_DIR:-/tmp/griddesk-test-pg}"
DB="${GRIDDESK_PG_DB:-griddesk_test}"

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}
BIN="$(find_bin || true)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    echo "installing PostgreSQL from the Debian packages" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
    BIN="$(find_bin)"
fi

# PostgreSQL refuses to run as root: run it as the postgres user when we are root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

mkdir -p "$DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$DIR"; fi
if [ ! -f "$DIR/data/PG_VERSION" ]; then
    as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >&2
fi
if ! as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
fi
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
if [ "${1:-}" = "--export" ]; then
    echo "export GRIDDESK_TEST_PG_URL='$URL'"
else
    echo "$URL"
fi
