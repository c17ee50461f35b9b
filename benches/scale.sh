#!/usr/bin/env bash
# `check` and `status` over generated workspaces of 1,000 and 10,000 specs, with few broken
# references (as generated: ~5% of references, 45 distinct IDs) and many (half of them, each a
# different ID), beside the bare parallel tree-sitter-md parse of the same files.
# Each figure is the best of RUNS wall-clock runs; peak RSS from /usr/bin/time. Report the load
# average with the figures (printed first and last).
#
#   cargo build --release --bin deployspec --example bare_parse
#   bash benches/scale.sh            # generates /tmp/deployspec-scale/ws{1000,10000}{,-many} once
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/target/release/deployspec
bare=$here/target/release/examples/bare_parse
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

# best wall seconds and the peak RSS (MB) of that run, over $runs runs of "$@" in $dir
measure() {
  local dir=$1; shift
  local best="" rss=""
  for _ in $(seq "$runs"); do
    local t
    # /usr/bin/time prints its line to stderr after the command's own
    t=$( { cd "$dir" && /usr/bin/time -f '%e %M' "$@" >/dev/null 2>/tmp/scale-time.err; } ; tail -1 /tmp/scale-time.err)
    local s=${t% *} m=${t#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$((m / 1024)); fi
  done
  printf '%6.2f s %5d MB' "$best" "$rss"
}

printf '| %-22s | %-18s | %-18s | %-18s | %-18s |\n' workspace "bare parse" "check --format json" "status --format json" "check (sarif)"
for n in $sizes; do
  for v in "" -many; do
    dir=$out/ws$n$v
    printf '| %-22s | %s | %s | %s | %s |\n' "ws$n$v" \
      "$(measure "$dir" nice -n 5 "$bare" bare docs/specs)" \
      "$(measure "$dir" nice -n 5 "$bin" check --format json)" \
      "$(measure "$dir" nice -n 5 "$bin" status --format json)" \
      "$(measure "$dir" nice -n 5 "$bin" check --format sarif)"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
