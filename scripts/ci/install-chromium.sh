#!/usr/bin/env bash
# Debian's chromium for the browser tests, and a CJK font so the pages' Chinese renders in
# screenshots. Idempotent: does nothing when both are there. The tests use /usr/bin/chromium
# through playwright-core and never download a browser of their own.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! fc-list 2>/dev/null | grep -qiE 'WenQuanYi|Noto Sans CJK|Noto Serif CJK'; then need+=(fonts-wqy-microhei); fi

if [ ${#need[@]} -eq 0 ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present), CJK font present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
/usr/bin/chromium --version
