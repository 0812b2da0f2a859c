#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100, the last line whose engine is Node 20) for the
# end-to-end tests and the demo, into $HPC_GEO_CODE_SERVER_DIR (default .cache/code-server).
# Its postinstall downloads from the internet, which this kind of machine cannot reach, so the
# steps it would take are done here from the npm registry and Debian's packages. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
DIR=${HPC_GEO_CODE_SERVER_DIR:-$repo/.cache/code-server}
VERSION=4.100.3
log() { printf 'code-server: %s\n' "$*" >&2; }
CS="$DIR/node_modules/code-server"
if [[ -f $DIR/.installed-$VERSION ]]; then echo "$CS"; exit 0; fi

if [[ $(id -u) -eq 0 && -f /etc/debian_version ]]; then
  missing=()
  for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

mkdir -p "$DIR"
cd "$DIR"
[[ -f package.json ]] || echo '{"name":"hpc-geo-code-server","private":true}' > package.json
log "npm install code-server@$VERSION (no scripts)"
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION" >&2
log "building argon2"
(cd "$DIR" && npm rebuild argon2 --build-from-source >&2)
cd "$CS/lib/vscode"
log "installing VS Code's own dependencies"
npm install --no-audit --no-fund --omit=dev --ignore-scripts >&2
log "building native modules"
npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog @vscode/deviceid >&2 || true
gyp=$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
[[ -f $gyp ]] || gyp=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
(cd node_modules/node-pty && node "$gyp" rebuild --nodedir=/usr >&2)
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli 2>/dev/null && ln -sfn code-linux.sh code-server) || true
(cd bin/helpers 2>/dev/null && ln -sfn browser-linux.sh browser.sh) || true
log "installing the built-in extensions' dependencies"
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts >&2)
touch "$DIR/.installed-$VERSION"
log "ready in $CS"
echo "$CS"
