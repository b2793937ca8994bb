#!/usr/bin/env bash
# Fuzzes the plan loader with libFuzzer and AddressSanitizer (issue 15).
#   scripts/fuzz-plan.sh [SECONDS]   default 60, from the corpus kept in .build-fuzz/corpus.
#   FUZZ_SEED=1 FUZZ_RUNS=60000 scripts/fuzz-plan.sh
#                                    a fixed number of inputs from a fixed seed and a fresh corpus:
#                                    the same inputs on every machine (what CI runs).
# The corpus starts from examples/; findings land in .build-fuzz/findings (crash-*, timeout-*,
# oom-*), and `swift run fuzz-plan FILE` replays one without instrumentation.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
swift build -c release --product fuzz-plan --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld 2>&1 | grep -v "ld.gold: warning: Cannot export local symbol" | tail -3
corpus=.build-fuzz/corpus findings=.build-fuzz/findings
limit=(-max_total_time="$seconds")
if [ -n "${FUZZ_RUNS:-}" ]; then
  corpus=.build-fuzz/corpus-fixed
  rm -rf "$corpus"
  limit=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
fi
mkdir -p "$corpus" "$findings"
cp examples/*.yaml examples/*.json "$corpus"/
# A plan is a page of text; 4 MiB is the loader's own limit, 64 KiB keeps the search on plans.
if ! .build-fuzz/release/fuzz-plan "$corpus" "${limit[@]}" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 > .build-fuzz/last.log 2>&1; then
  # The fault: the sanitizer's or Swift's report, and the input that caused it.
  grep -E -A12 "ERROR: |runtime failure|Fatal error|crashed:" .build-fuzz/last.log | head -40
  echo "fuzz-plan: fault; input saved in $findings (replay: swift run fuzz-plan FILE)" >&2
  ls -t "$findings" | head -3
  exit 1
fi
tail -7 .build-fuzz/last.log
what="$seconds s"
[ -n "${FUZZ_RUNS:-}" ] && what="$FUZZ_RUNS inputs from seed ${FUZZ_SEED:-1}"
echo "fuzz-plan: no fault in $what (corpus $(ls "$corpus" | wc -l) inputs)"
