#!/usr/bin/env bash
# What the test suite needs that pip cannot install: Debian's hugo (tests/test_hugo_site.py)
# and chromium + chromium-driver (tests/test_review_page.py drives /usr/bin/chromium with
# Playwright; never `playwright install`), and the time zones of tzdata. Idempotent: silent and instant when all is there.
set -euo pipefail

missing=()
command -v hugo >/dev/null 2>&1 || missing+=(hugo)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# tests/test_machine_independence.py runs the CLI under TZ=Pacific/Kiritimati.
[ -e /usr/share/zoneinfo/Pacific/Kiritimati ] || missing+=(tzdata)

# A French locale for tests/test_machine_independence.py, generated where locale-gen
# exists (Debian's locales package); without it that one case is skipped.
if ! locale -a 2>/dev/null | grep -qi '^fr_FR\.utf-\?8$' && command -v locale-gen >/dev/null \
  && [ "$(id -u)" -eq 0 ] && [ -w /etc/locale.gen ]; then
  grep -q '^fr_FR.UTF-8 UTF-8' /etc/locale.gen || echo 'fr_FR.UTF-8 UTF-8' >>/etc/locale.gen
  locale-gen >/dev/null 2>&1 || echo "install-test-deps: locale-gen failed; fr_FR.UTF-8 tests skip" >&2
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-test-deps: not root, cannot install ${missing[*]}; those tests will be skipped" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
install() { "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
echo "install-test-deps: installing ${missing[*]}" >&2
# Refresh the package lists only when they are missing or too old to find the packages.
if ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null || ! install 2>/dev/null; then
  "${as_root[@]}" apt-get update -qq
  install
fi
