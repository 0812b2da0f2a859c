#!/usr/bin/env bash
# Installs Debian's Chromium for the page and end-to-end tests, when root on Debian and missing.
set -euo pipefail
[[ -x /usr/bin/chromium ]] && exit 0
if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
  echo "ensure-browser: /usr/bin/chromium is missing and this is not root on Debian; browser tests will be skipped" >&2
  exit 0
fi
echo "ensure-browser: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
apt-get install -y -qq --no-install-recommends chromium >&2
