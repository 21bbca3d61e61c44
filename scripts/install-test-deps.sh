#!/usr/bin/env bash
# What the test suite needs that pip cannot install: Debian's hugo (the site
# build test) and chromium (the review page test). Idempotent and quick when
# everything is there; as root it installs what is missing.
set -euo pipefail
missing=()
command -v hugo >/dev/null || missing+=(hugo)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: not root, cannot install ${missing[*]}; those tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
