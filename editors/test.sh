#!/usr/bin/env bash
# The editor checks, called by .ci/run after the Rust tests: installs what they need
# (editors/setup.sh), then VS Code (lint, manifest, package, real VS Code), Neovim,
# pre-commit, actionlint, and the Helix configuration. The Helix e2e test itself
# (tests/lsp_helix.rs) runs with `cargo test`.
#   editors/test.sh [DEPLOYSPEC_BIN]   (default: target/release/deployspec, built if missing)
#   VSCODE_SCREENSHOT=path.png          keep the VS Code screenshot (docs/vscode.png is one)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"
bin="${1:-$repo/target/release/deployspec}"
[ -x "$bin" ] || cargo build --release --quiet || exit 1
bin="$(realpath "$bin")"
TOOLS="${DEPLOYSPEC_TOOLS:-$HOME/.cache/deployspec/editor-tools}"
export DEPLOYSPEC_TOOLS="$TOOLS"

# The DP001 quick fix that the VS Code and Neovim tests apply (a separate step in each test).
# ROLLBACK_FIX_TITLE= (empty) leaves that step out, and says so.
ROLLBACK_FIX_TITLE="${ROLLBACK_FIX_TITLE-Add a \"Rollback Procedure\" section}"

t0=$(date +%s)
failed=()
section() { echo; echo "== editors: $1 (+$(($(date +%s) - t0))s)"; }
run() { # NAME COMMAND...
  local name="$1"; shift
  "$@" || failed+=("$name")
}

section "setup"
"$here/setup.sh" || { echo "editors/setup.sh failed" >&2; exit 1; }

section "VS Code: lint, typecheck, package"
vs="$here/vscode"
run "vscode lint" bash -c "cd '$vs' && npx --no-install eslint src test scripts && npx --no-install tsc --noEmit -p ."
run "vscode manifest" node "$vs/test/manifest.js" "$bin"
vsix="$(mktemp -d /tmp/deployspec-vsix.XXXXXX)/deployspec-linux-x64.vsix"
run "vscode package" env DEPLOYSPEC_BIN="$bin" VSIX_OUT="$vsix" node "$vs/scripts/package.js"
run "vscode vsix contents" node "$vs/test/manifest.js" "$bin" "$vsix"

section "VS Code: the extension in code-server + headless Chromium"
shot="${VSCODE_SCREENSHOT:-$(dirname "$vsix")/vscode.png}"
qf=()
if [ -n "$ROLLBACK_FIX_TITLE" ]; then qf=(--quick-fix "$ROLLBACK_FIX_TITLE"); else
  echo "NOT RUN: the DP001 rollback quick fix step (ROLLBACK_FIX_TITLE is empty)"; fi
run "vscode e2e" node "$vs/test/e2e.js" --vsix "$vsix" --deployspec "$bin" --workspace "$here/fixtures/ws" \
  --file docs/specs/deployment-procedure/deploy-001-export.md --screenshot "$shot" "${qf[@]}"
rm -rf "$(dirname "$vsix")"

section "Neovim 0.11"
run "neovim" "$here/neovim/test.sh" "$bin" "$ROLLBACK_FIX_TITLE"

section "pre-commit"
run "pre-commit" "$here/precommit/test.sh" "$bin"

section "actionlint: .github/workflows"
run "actionlint" "$TOOLS/venv/bin/actionlint" -no-color .github/workflows/*.yml

section "Helix: languages.toml"
run "helix config" "$TOOLS/venv/bin/python" - "$here/helix/languages.toml" "$repo/README.md" <<'PY'
import sys, tomllib
path, readme = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
cfg = tomllib.load(open(path, "rb"))
ls = cfg["language-server"]["deployspec"]
md = [l for l in cfg["language"] if l["name"] == "markdown"][0]
ok = ls["command"] == "deployspec" and ls["args"] == ["server"] and md["language-servers"] == ["marksman", "deployspec"]
body = "".join(l for l in open(path, encoding="utf-8") if not l.startswith("#")).strip()
in_readme = body in readme
print(f"{'ok' if ok else 'not ok'} - languages.toml runs `deployspec server` beside marksman for Markdown")
print(f"{'ok' if in_readme else 'not ok'} - the README's Helix snippet is editors/helix/languages.toml")
print(f"helix: {int(ok) + int(in_readme)} passed, {2 - int(ok) - int(in_readme)} failed")
sys.exit(0 if ok and in_readme else 1)
PY

section "done in $(($(date +%s) - t0))s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "editor checks FAILED: ${failed[*]}"
  exit 1
fi
echo "editor checks passed"
