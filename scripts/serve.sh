#!/usr/bin/env bash
# Serve the translation flow for one site on prefect.yaml's schedule.
#   Usage: scripts/serve.sh SITE        (make serve SITE=/path/to/site)
# The same as `translator serve SITE`: uses the Prefect server at PREFECT_API_URL;
# without one, starts a local server on 127.0.0.1:4200 in the background (it keeps
# running; `prefect server stop` stops it). Prints the API URL to export and the
# exact command that starts a run now.
set -euo pipefail
if [ -z "${1:-}" ]; then
  echo "Error: no site — usage: make serve SITE=/path/to/hugo/site" >&2
  exit 2
fi
SITE=$(cd "$1" 2>/dev/null && pwd -P) || { echo "Error: $1: no such folder" >&2; exit 2; }
cd "$(dirname "$0")/.."
exec .venv/bin/python -m translator serve "$SITE"
