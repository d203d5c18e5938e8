#!/usr/bin/env bash
# The production deployment of docs/deployment.md, brought up on loopback and tried as a user would
# (`make production-smoke`, run by CI after `make test`):
#   a fresh PostgreSQL database, a production secrets file, migrate, collectstatic, compilemessages, the tier T
#   demo, a self-signed certificate, gunicorn (production settings, gthread) and nginx from
#   deploy/nginx/gongzhi.conf; then, through nginx over HTTPS, the HTTP redirect, /healthz, a static file
#   nginx serves itself, a login through the form with TOTP, the main pages, the API and Open311
#   (scripts/production_smoke_client.py). Everything it starts is stopped and the database dropped on exit.
#
# Only 127.0.0.1: free high ports, state in one temporary directory, no root needed (as root, nginx's
# workers run as nobody). Environment: PG_HOST, PG_PORT (127.0.0.1:5432, user postgres, trust auth),
# GONGZHI_SMOKE_DB (default gongzhi_smoke_<pid>; must not exist), GONGZHI_SMOKE_KEEP=1 keeps the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
GUNICORN=$(dirname "$PYTHON")/gunicorn
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
DB_NAME=${GONGZHI_SMOKE_DB:-gongzhi_smoke_$$}
KEEP=${GONGZHI_SMOKE_KEEP:-}
STARTED=$SECONDS

say() { echo "production-smoke: [$((SECONDS - STARTED)) s] $*"; }
fail() {
  echo "production-smoke: FAIL: $*" >&2
  exit 1
}

# Only what this script sets reaches the application: no development settings or keys from the caller.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(GONGZHI_|DJANGO_)' || true)

[ -x "$PYTHON" ] || fail "no Python at $PYTHON (make install)"
[ -x "$GUNICORN" ] || fail "no gunicorn beside $PYTHON (make install)"
command -v nginx >/dev/null || fail "nginx is not installed (apt-get install nginx)"
command -v openssl >/dev/null || fail "openssl is not installed (apt-get install openssl)"
[[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ ]] || fail "GONGZHI_SMOKE_DB must be a plain lower-case name, got $DB_NAME"
"$PYTHON" scripts/pg_ready.py "$PG_HOST" "$PG_PORT" || fail "PostgreSQL does not answer on $PG_HOST:$PG_PORT"

umask 022
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-smoke.XXXXXX")
# nginx's workers (nobody, when started as root) must reach static/ inside; nothing else is listed.
chmod 711 "$TMP"
GUNICORN_PID=""
NGINX_PID=""
DB_CREATED=""

pg() {
  "$PYTHON" - "$PG_HOST" "$PG_PORT" "$1" <<'EOF'
import sys

import psycopg

host, port, statement = sys.argv[1], sys.argv[2], sys.argv[3]
with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
    conn.execute(statement)
EOF
}

stop() {
  local pid=$1 name=$2
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop "$NGINX_PID" nginx
  stop "$GUNICORN_PID" gunicorn
  if [ -n "$DB_CREATED" ]; then
    pg "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || say "could not drop database $DB_NAME"
  fi
  if [ "$status" -ne 0 ]; then
    for log in "$TMP"/gunicorn.log "$TMP"/nginx/error.log; do
      [ -s "$log" ] && { echo "--- last lines of $log" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  if [ "$KEEP" = 1 ]; then
    say "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  if [ "$status" -eq 0 ]; then
    say "passed in $((SECONDS - STARTED)) s"
  else
    echo "production-smoke: FAILED (exit $status)" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
APP_PORT=$(free_port)
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
[ "$APP_PORT" != "$HTTP_PORT" ] && [ "$HTTP_PORT" != "$HTTPS_PORT" ] && [ "$APP_PORT" != "$HTTPS_PORT" ] ||
  fail "could not find three distinct free ports"

say "database $DB_NAME on $PG_HOST:$PG_PORT, state in $TMP"
pg "CREATE DATABASE $DB_NAME" || fail "could not create database $DB_NAME (does it exist already?)"
DB_CREATED=1

# The secrets file of a deployment: keys as scripts/make_secrets.py writes them, then the settings of
# docs/deployment.md. The application reads it through GONGZHI_SECRETS_FILE, as the systemd units do.
ENV_FILE=$TMP/gongzhi.env
GONGZHI_SECRETS_FILE=$ENV_FILE "$PYTHON" scripts/make_secrets.py >/dev/null || fail "could not write the keys"
cat >>"$ENV_FILE" <<EOF
GONGZHI_DB=postgres
GONGZHI_DB_NAME=$DB_NAME
GONGZHI_DB_USER=postgres
GONGZHI_DB_HOST=$PG_HOST
GONGZHI_DB_PORT=$PG_PORT
GONGZHI_ALLOWED_HOSTS=127.0.0.1,localhost
GONGZHI_TRUSTED_PROXIES=127.0.0.1,::1
GONGZHI_SITE_URL=https://127.0.0.1:$HTTPS_PORT
GONGZHI_STATIC_ROOT=$TMP/static
GONGZHI_MEDIA_ROOT=$TMP/media
EOF
chmod 600 "$ENV_FILE"
export GONGZHI_SECRETS_FILE=$ENV_FILE
export DJANGO_SETTINGS_MODULE=config.settings.production

manage() { "$PYTHON" manage.py "$@"; }
say "check --deploy, migrate, collectstatic, compilemessages"
manage check --deploy --fail-level WARNING >/dev/null || fail "manage.py check --deploy reports problems"
manage migrate --noinput -v 0 || fail "migrate failed"
manage collectstatic --noinput -v 0 || fail "collectstatic failed"
manage compilemessages --ignore=.venv -v 0 || fail "compilemessages failed"
say "seeding the tier T demo"
manage seed_demo --tier T -v 0 >"$TMP/seed_demo.log" || fail "seed_demo failed: $(tail -n 20 "$TMP/seed_demo.log")"
PASSWORD=$(manage shell --no-imports -c 'from django.conf import settings; print(settings.GONGZHI_DEMO_PASSWORD)')

say "self-signed certificate for 127.0.0.1 and localhost"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$TMP/privkey.pem" -out "$TMP/fullchain.pem" 2>"$TMP/openssl.log" ||
  fail "openssl could not make a certificate: $(cat "$TMP/openssl.log")"

say "gunicorn on 127.0.0.1:$APP_PORT"
"$GUNICORN" config.wsgi --worker-class gthread --workers 2 --threads 4 --bind "127.0.0.1:$APP_PORT" \
  --timeout 120 --no-control-socket --access-logfile "$TMP/gunicorn-access.log" \
  --error-logfile "$TMP/gunicorn.log" --log-level info &
GUNICORN_PID=$!

# The server block is deploy/nginx/gongzhi.conf itself, its placeholders filled in for loopback.
mkdir -p "$TMP/nginx"
sed -e "s|@SERVER_NAME@|127.0.0.1 localhost|g" \
  -e "s|@PUBLIC_HOST@|127.0.0.1:$HTTPS_PORT|g" \
  -e "s|@HTTP_LISTEN@|127.0.0.1:$HTTP_PORT|g" \
  -e "s|@HTTPS_LISTEN@|127.0.0.1:$HTTPS_PORT|g" \
  -e "s|@CERT@|$TMP/fullchain.pem|g" \
  -e "s|@CERT_KEY@|$TMP/privkey.pem|g" \
  -e "s|@STATIC_ROOT@|$TMP/static|g" \
  -e "s|@UPSTREAM@|127.0.0.1:$APP_PORT|g" \
  deploy/nginx/gongzhi.conf >"$TMP/nginx/gongzhi.conf"
if grep -v '^ *#' "$TMP/nginx/gongzhi.conf" | grep '@[A-Z_]*@'; then fail "placeholders left in the nginx server block"; fi
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user nobody nogroup;"
cat >"$TMP/nginx/nginx.conf" <<EOF
$USER_LINE
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log $TMP/nginx/access.log;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    include $TMP/nginx/gongzhi.conf;
}
EOF
nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" ||
  fail "nginx rejects the configuration: $(cat "$TMP/nginx/error.log")"
say "nginx on 127.0.0.1:$HTTP_PORT (HTTP) and 127.0.0.1:$HTTPS_PORT (HTTPS)"
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" &
NGINX_PID=$!

# Both answer within 60 s, or the run ends with their logs.
answers() {
  "$PYTHON" - "$HTTPS_PORT" "$TMP/fullchain.pem" 2>/dev/null <<'EOF'
import ssl
import sys
import urllib.request

context = ssl.create_default_context(cafile=sys.argv[2])
with urllib.request.urlopen(f"https://127.0.0.1:{sys.argv[1]}/healthz", timeout=2, context=context) as answer:
    sys.exit(0 if answer.status == 200 else 1)
EOF
}
UP=""
for _ in $(seq 1 300); do
  kill -0 "$GUNICORN_PID" 2>/dev/null || fail "gunicorn exited at start"
  kill -0 "$NGINX_PID" 2>/dev/null || fail "nginx exited at start"
  if answers; then
    UP=1
    break
  fi
  sleep 0.2
done
[ -n "$UP" ] || fail "no answer from https://127.0.0.1:$HTTPS_PORT/healthz within 60 s"
say "up after $((SECONDS - STARTED)) s; trying it as a user"

GONGZHI_SMOKE_PASSWORD=$PASSWORD "$PYTHON" scripts/production_smoke_client.py \
  --https "https://127.0.0.1:$HTTPS_PORT" --http "http://127.0.0.1:$HTTP_PORT" \
  --ca "$TMP/fullchain.pem" --static-root "$TMP/static" --user jiedao ||
  fail "a check through nginx failed (above)"

# Every request of the client went through nginx to gunicorn, none straight to gunicorn.
grep -q '"GET /dashboards/ HTTP/1.1" 200 ' "$TMP/nginx/access.log" || fail "nginx logged no request for /dashboards/"
