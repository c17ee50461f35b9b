#!/usr/bin/env bash
# `check` and `status` over generated workspaces of 1,000 and 10,000 specs, with few broken
# references (as generated: ~5% of references, 45 distinct IDs) and many (half of them, each a
# different ID), beside the bare parallel tree-sitter-md parse of the same files.
# Each figure is CPU seconds (user + sys; wall seconds and peak RSS beside), the least of RUNS
# runs. Report the load average with the figures (printed first and last).
#
#   cargo build --release --bin deployspec --example bare_parse
#   bash benches/scale.sh            # generates /tmp/deployspec-scale/ws{1000,10000}{,-many} once
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$here/target/release/deployspec}
bare=${BARE:-$here/target/release/examples/bare_parse}
gen=${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}
out=${SCALE_DIR:-/tmp/deployspec-scale}
runs=${RUNS:-3}
sizes=${SIZES:-1000 10000}
mkdir -p "$out"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $sizes; do
  if [ ! -d "$out/ws$n" ]; then
    python3 "$gen" workspace --files "$n" "$out/ws$n" >/dev/null
    cp -r "$out/ws$n" "$out/ws$n-many"
    python3 "$here/benches/break_refs.py" "$out/ws$n-many" --rate 0.5 >/dev/null
  fi
done

# "CPU s (wall s, RSS MB)" of the run with the least CPU time (user + sys) of $runs runs of "$@"
# in $dir. CPU time is the figure to compare on a shared machine: wall time there depends on
# what else runs (the load average), CPU time much less.
measure() {
  local dir=$1; shift
  local best="" wall="" rss=""
  for _ in $(seq "$runs"); do
    # /usr/bin/time prints its line to stderr after the command's own
    local t
    t=$( { cd "$dir" && /usr/bin/time -f '%U %S %e %M' "$@" >/dev/null 2>/tmp/scale-time.err; } ; tail -1 /tmp/scale-time.err)
    read -r u s e m <<<"$t"
    local cpu
    cpu=$(awk "BEGIN{print $u + $s}")
    if [ -z "$best" ] || awk "BEGIN{exit !($cpu < $best)}"; then best=$cpu; wall=$e; rss=$((m / 1024)); fi
  done
  printf '%6.2f s (%6.2f s, %3d MB)' "$best" "$wall" "$rss"
}

printf '| %-14s | %-29s | %-29s | %-29s |\n' workspace "bare parse" "check --format json" "status --format json"
printf '| --- | --- | --- | --- |\n'
for n in $sizes; do
  for v in "" -many; do
    dir=$out/ws$n$v
    printf '| %-14s | %s | %s | %s |\n' "ws$n$v" \
      "$(measure "$dir" nice -n 5 "$bare" bare docs/specs)" \
      "$(measure "$dir" nice -n 5 "$bin" check --format json)" \
      "$(measure "$dir" nice -n 5 "$bin" status --format json)"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
