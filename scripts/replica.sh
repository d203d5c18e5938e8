#!/usr/bin/env bash
# A PostgreSQL 15 streaming read replica of the local primary, in a second cluster on this machine.
#
#   scripts/replica.sh start [DATA_DIR]   copy the primary with pg_basebackup -R (once), then start streaming
#   scripts/replica.sh stop [DATA_DIR]    stop the replica (its data stays; start resumes streaming)
#   scripts/replica.sh status [DATA_DIR]  the primary's view (pg_stat_replication) and the replica's replay
#   scripts/replica.sh remove [DATA_DIR]  stop it and delete its data directory
#   scripts/replica.sh check              whether the primary accepts replication connections, and why not
#   scripts/replica.sh allow              append the replication line to the primary's pg_hba.conf, reload
#
# Environment: PRIMARY_HOST (127.0.0.1), PRIMARY_PORT (5432), REPLICA_HOST (127.0.0.1), REPLICA_PORT (5433),
# PG_USER (postgres), PG_BIN (/usr/lib/postgresql/15/bin). DATA_DIR defaults to var/replica.
# Then run Django with GONGZHI_DB=postgres GONGZHI_DB_REPLICA_PORT=5433 (docs/scaling.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_HOST=${REPLICA_HOST:-127.0.0.1}
REPLICA_PORT=${REPLICA_PORT:-5433}
PG_USER=${PG_USER:-postgres}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
command=${1:-status}
DATA=${2:-var/replica}
mkdir -p "$(dirname "$DATA")"
DATA=$(cd "$(dirname "$DATA")" && pwd)/$(basename "$DATA")
HBA_LINE="host    replication     $PG_USER        $REPLICA_HOST/32            trust"

# initdb, pg_ctl and the server refuse to run as root: run them as the postgres user.
as_postgres() {
  if [ "$(id -un)" = "$PG_USER" ]; then
    "$@"
  elif [ "$(id -u)" = 0 ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    echo "replica.sh: run as root or as $PG_USER (the cluster's files belong to $PG_USER)." >&2
    exit 1
  fi
}

primary() { "$PG_BIN/psql" -X -q -At -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_USER" -d postgres "$@"; }
replica() { "$PG_BIN/psql" -X -q -At -h "$REPLICA_HOST" -p "$REPLICA_PORT" -U "$PG_USER" -d postgres "$@"; }

# Exit 0 when the primary accepts a replication connection from here; otherwise say exactly what to change.
check() {
  local wal_level senders
  wal_level=$(primary -c "show wal_level")
  senders=$(primary -c "show max_wal_senders")
  if [ "$wal_level" = minimal ] || [ "$senders" -lt 2 ]; then
    echo "replica.sh: the primary has wal_level=$wal_level, max_wal_senders=$senders." >&2
    echo "  Set wal_level = replica and max_wal_senders = 10 in its postgresql.conf and restart it." >&2
    return 1
  fi
  if ! "$PG_BIN/psql" -X -q -At "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PG_USER replication=true" \
    -c "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
    echo "replica.sh: the primary refuses replication connections from $REPLICA_HOST for $PG_USER." >&2
    echo "  Add this line to $(primary -c 'show hba_file') and reload (select pg_reload_conf()):" >&2
    echo "    $HBA_LINE" >&2
    echo "  or run: scripts/replica.sh allow" >&2
    return 1
  fi
}

allow() {
  local hba
  hba=$(primary -c "show hba_file")
  if check 2>/dev/null; then
    echo "The primary already accepts replication connections from $REPLICA_HOST."
    return 0
  fi
  printf '# Gongzhi read replica on this machine (scripts/replica.sh allow)\n%s\n' "$HBA_LINE" >>"$hba"
  primary -c "select pg_reload_conf()" >/dev/null
  echo "Appended to $hba and reloaded: $HBA_LINE"
  check
}

running() { [ -f "$DATA/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
  if running; then
    echo "The replica in $DATA is already running on $REPLICA_HOST:$REPLICA_PORT."
    return 0
  fi
  if [ ! -f "$DATA/standby.signal" ]; then
    check
    rm -rf "$DATA"
    mkdir -m 700 "$DATA"
    if [ "$(id -u)" = 0 ]; then chown "$PG_USER": "$DATA"; fi
    echo "Copying the primary $PRIMARY_HOST:$PRIMARY_PORT into $DATA (pg_basebackup -R)..."
    as_postgres "$PG_BIN/pg_basebackup" -D "$DATA" -R -X stream -c fast \
      -d "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PG_USER application_name=gongzhi_replica"
    # Debian keeps postgresql.conf and pg_hba.conf in /etc, outside the copied data directory: the replica
    # gets its own, listening on loopback only. hot_standby_feedback keeps a long export from being
    # cancelled by the primary's vacuum.
    as_postgres tee "$DATA/postgresql.conf" >/dev/null <<EOF
listen_addresses = '$REPLICA_HOST'
port = $REPLICA_PORT
unix_socket_directories = '$DATA'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = 128MB
logging_collector = off
EOF
    as_postgres tee "$DATA/pg_hba.conf" >/dev/null <<EOF
local   all   all                 trust
host    all   all   $REPLICA_HOST/32  trust
EOF
    as_postgres touch "$DATA/pg_ident.conf"
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$DATA/replica.log" -w -t 60 start >/dev/null
  echo "The replica streams from $PRIMARY_HOST:$PRIMARY_PORT on $REPLICA_HOST:$REPLICA_PORT (log: $DATA/replica.log)."
  echo "Use it: GONGZHI_DB=postgres GONGZHI_DB_REPLICA_HOST=$REPLICA_HOST GONGZHI_DB_REPLICA_PORT=$REPLICA_PORT"
}

stop() {
  if running; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "The replica in $DATA is stopped."
  else
    echo "No replica is running in $DATA."
  fi
}

status() {
  echo "Primary $PRIMARY_HOST:$PRIMARY_PORT, pg_stat_replication:"
  primary -P footer=off -F ' ' -c "select application_name, client_addr, state, sent_lsn, replay_lsn,
    pg_wal_lsn_diff(sent_lsn, replay_lsn) as lag_bytes, coalesce(replay_lag::text, '0') as replay_lag
    from pg_stat_replication" | sed 's/^/  /'
  if running; then
    echo "Replica $REPLICA_HOST:$REPLICA_PORT (in recovery, last replayed LSN, time since the last replayed commit):"
    replica -c "select pg_is_in_recovery(), pg_last_wal_replay_lsn(),
      coalesce((now() - pg_last_xact_replay_timestamp())::text, 'none yet')" | sed 's/^/  /'
  else
    echo "No replica is running in $DATA."
    return 3
  fi
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  remove) stop && rm -rf "$DATA" && echo "Removed $DATA." ;;
  check) check && echo "The primary accepts replication connections from $REPLICA_HOST." ;;
  allow) allow ;;
  *)
    echo "usage: scripts/replica.sh start|stop|status|remove|check|allow [DATA_DIR]" >&2
    exit 2
    ;;
esac
