#!/usr/bin/env bash
# The repository's .pre-commit-hooks.yaml with real pre-commit (PyPI, installed by
# editors/setup.sh), run with `pre-commit try-repo` from a project that keeps its specs in
# docs/specs. Usage: editors/precommit/test.sh DEPLOYSPEC_BIN
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$(realpath "$1")"
TOOLS="${DEPLOYSPEC_TOOLS:-$HOME/.cache/deployspec/editor-tools}"
pc="$TOOLS/venv/bin/pre-commit"
[ -x "$pc" ] || { echo "precommit/test.sh: no $pc: run editors/setup.sh" >&2; exit 1; }
run="$(mktemp -d /tmp/deployspec-precommit.XXXXXX)"
trap 'rm -rf "$run"' EXIT
mkdir -p "$run/bin" && ln -s "$bin" "$run/bin/deployspec"
export PATH="$run/bin:$PATH" PRE_COMMIT_HOME="$run/cache" GIT_CONFIG_GLOBAL="$run/gitconfig" GIT_CONFIG_NOSYSTEM=1
git config --global user.email ci@example.invalid && git config --global user.name CI
git config --global init.defaultBranch main
"$pc" --version

passed=0 failed=0
check() { # NAME STATUS(0 = ok) [DETAIL]
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok - $1"
  else failed=$((failed + 1)); echo "not ok - $1"; [ -n "${3:-}" ] && sed 's/^/  /' <<<"$3"; fi
}
hook() { (cd "$run/project" && "$pc" try-repo "$repo" deployspec-check --color never "$@" 2>&1); }

# A project with this repository's own (clean) specs and a README.
mkdir -p "$run/project" && cd "$run/project" && git init -q
cp -r "$repo/docs" docs && printf '# Project\n' > README.md
printf 'spec_root = "docs/specs"\n' > .deployspec.toml
git add -A && git commit -qm init

out="$(hook --all-files)"; rc=$?
check "a clean spec root passes" "$([ $rc -eq 0 ] && grep -q 'deployspec check.*Passed' <<<"$out"; echo $?)" "$out"

printf '# Project\n\n- [ ] TODO\n' > README.md && git add README.md
out="$(hook)"; rc=$?
check "a commit without spec changes skips the hook" "$([ $rc -eq 0 ] && grep -q 'deployspec check.*Skipped' <<<"$out"; echo $?)" "$out"
git commit -qm readme

cp "$repo/editors/fixtures/ws/docs/specs/deployment-procedure/deploy-001-export.md" docs/specs/deployment-procedure/deploy-002-export.md
git add -A
out="$(hook)"; rc=$?
check "a spec missing its rollback fails the commit (DP001, DP030 named with the file)" \
  "$([ $rc -eq 1 ] && grep -q 'error\[DP001\]' <<<"$out" && grep -q 'error\[DP030\]' <<<"$out" && grep -q 'deploy-002-export.md' <<<"$out"; echo $?)" "$out"
git rm -q --cached docs/specs/deployment-procedure/deploy-002-export.md && rm docs/specs/deployment-procedure/deploy-002-export.md

# The component spec gets another ID: the unchanged deployment spec's [CMP-001] breaks.
sed -i 's/^id: CMP-001$/id: CMP-003/' docs/specs/component/cmp-001-deployspec-binary.md && git add -A
out="$(hook)"; rc=$?
check "a change that breaks a reference in another spec fails the commit" \
  "$([ $rc -eq 1 ] && grep -q 'DP030' <<<"$out" && grep -q 'deploy-001-release.md' <<<"$out"; echo $?)" "$out"

echo "pre-commit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
