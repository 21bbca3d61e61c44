#!/usr/bin/env bash
# Serve the translation flow for one site on prefect.yaml's schedule.
#   Usage: scripts/serve.sh SITE        (make serve SITE=/path/to/site)
# Uses the Prefect server at PREFECT_API_URL; without one, starts a local server on
# 127.0.0.1:4200 in the background (it keeps running; `prefect server stop` stops it).
# Prints the API URL to export and the exact command that starts a run now.
set -euo pipefail
if [ -z "${1:-}" ]; then
  echo "Error: no site — usage: make serve SITE=/path/to/hugo/site" >&2
  exit 2
fi
SITE=$(cd "$1" 2>/dev/null && pwd -P) || { echo "Error: $1: no such folder" >&2; exit 2; }
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ -z "${PREFECT_API_URL:-}" ]; then
  export PREFECT_API_URL=http://127.0.0.1:4200/api
  if ! curl -fsS "$PREFECT_API_URL/health" >/dev/null 2>&1; then
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
      $PY -m prefect server start --host 127.0.0.1 --port 4200 --background
  fi
fi
for _ in $(seq 60); do
  curl -fsS "$PREFECT_API_URL/health" >/dev/null 2>&1 && break
  sleep 1
done
echo "Site: $SITE"
exec $PY flows/translate_posts.py serve --site "$SITE"
