#!/usr/bin/env bash
# Serve the translation flow on the site's schedule (translator.toml's `schedule`).
# Uses the Prefect server at PREFECT_API_URL; without one, starts a local server
# on 127.0.0.1:4200 in the background first (it keeps running; stop it with
# `prefect server stop`).   Usage: scripts/serve.sh [SITE]
set -euo pipefail
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
exec $PY flows/translate_posts.py serve --site "${1:-.}"
