#!/usr/bin/env bash
# Builds the fuzz preset (Clang, libFuzzer, ASan/UBSan) and runs every fuzz
# target for a fixed time, printing one line per target: executions,
# executions per second, inputs that added coverage, coverage, peak memory,
# and whether anything was found. CI runs it after the test suite (.ci/run).
#
#   tests/fuzz/run.sh [--merge] [TARGET...]
#
# TARGET: names from build/fuzz/fuzz_targets.tsv (default: all of them).
# --merge: afterwards, add the inputs that found new coverage to the stored
#          corpora (tests/fuzz/<target>/corpus/), minimised; review and commit.
# Environment:
#   FUZZ_SECONDS  time per target (default 40)
#   FUZZ_JOBS     targets run at once (default: the number of CPUs)
#
# Exit status: 0 when nothing was found, or when fuzzing was skipped because
# Clang or its libFuzzer runtime is not installed (one line says so); 1 when a
# target crashed, leaked, timed out (-timeout) or ran out of memory
# (-rss_limit_mb); 2 on a usage or build error. Each finding's input is kept
# under build/fuzz/fuzz-out/<target>/artifacts/ and its log beside it.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-40}
jobs=${FUZZ_JOBS:-$(nproc)}
cxx=clang++-14  # what the fuzz preset names (Debian bookworm's Clang)
rss_limit_mb=512
# ASan keeps freed memory in a 256 MB quarantine by default, which counts in
# the process's RSS: a long run of a fast target reached the 512 MB limit with
# no input to blame (key_scanner: 514 MB after 40 s). 16 MB still catches
# use-after-free of recent frees, and the limit then measures the inputs.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
merge=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --merge) merge=1 ;;
    -*)
      echo "usage: $0 [--merge] [TARGET...]" >&2
      exit 2
      ;;
    *) wanted+=("$arg") ;;
  esac
done

# --- Is there a Clang that can link a libFuzzer program? ---------------------
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: skipped: $cxx not found (Debian: apt-get install clang-14 libclang-rt-14-dev)"
  exit 0
fi
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' \
  >"$probe_dir/probe.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe" \
  >"$probe_dir/probe.log" 2>&1; then
  echo "fuzz: skipped: $cxx cannot link a libFuzzer program ($(grep -m1 -i error "$probe_dir/probe.log" || echo 'no error text'); Debian: apt-get install libclang-rt-14-dev)"
  exit 0
fi

# --- Build --------------------------------------------------------------------
build_dir=build/fuzz
mkdir -p "$build_dir"
build_log="$build_dir/fuzz-build.log"
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
echo "fuzz: building the fuzz preset with $cxx (log: $build_log)"
build_start=$SECONDS
if ! { cmake --preset fuzz "${launcher[@]}" &&
  cmake --build --preset fuzz -j "$(nproc)"; } >"$build_log" 2>&1; then
  tail -n 30 "$build_log"
  echo "fuzz: the fuzz build failed (log: $build_log)"
  exit 2
fi

# --- The targets: name, program, corpus, max_len, timeout, dictionary --------
manifest="$build_dir/fuzz_targets.tsv"
names=() programs=() corpora=() dicts=() max_lens=() timeouts=()
while IFS=$'\t' read -r name program corpus max_len timeout dict; do
  [ -n "$name" ] || continue
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  names+=("$name") programs+=("$program") corpora+=("$corpus") dicts+=("$dict")
  max_lens+=("$max_len") timeouts+=("$timeout")
done <"$manifest"
if [ ${#names[@]} -eq 0 ]; then
  echo "fuzz: no target matches: ${wanted[*]} (see $manifest)" >&2
  exit 2
fi
echo "fuzz: built in $((SECONDS - build_start)) s; running ${#names[@]} targets for $seconds s each, $jobs at a time (-rss_limit_mb=$rss_limit_mb)"

out_root="$build_dir/fuzz-out"
run_target() {  # $1 = index
  local i=$1 name=${names[$1]}
  local out="$out_root/$name"
  rm -rf "$out"
  mkdir -p "$out/new-corpus" "$out/artifacts"
  local args=(-max_total_time="$seconds" -rss_limit_mb="$rss_limit_mb" -timeout="${timeouts[$i]}"
    -max_len="${max_lens[$i]}" -print_final_stats=1 -artifact_prefix="$out/artifacts/")
  [ -z "${dicts[$i]}" ] || args+=(-dict="${dicts[$i]}")
  # New inputs go to new-corpus; the stored corpus is only read. The outer
  # timeout only guards against a target that blocks outside libFuzzer's
  # -timeout (which needs the program to be running).
  local status=0
  timeout --kill-after=10 $((seconds + ${timeouts[$i]} + 120)) \
    "${programs[$i]}" "${args[@]}" "$out/new-corpus" "${corpora[$i]}" >"$out/log" 2>&1 || status=$?
  echo "$status" >"$out/status"
}

running=0
for i in "${!names[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$i" &
  running=$((running + 1))
done
wait || true

# --- Report -------------------------------------------------------------------
final_stat() {  # $1 = log, $2 = libFuzzer stat name
  sed -n "s/^stat::$2: *\\([0-9]*\\).*/\\1/p" "$1" | tail -n 1
}
found=() broken=()
for i in "${!names[@]}"; do
  name=${names[$i]}
  out="$out_root/$name"
  log="$out/log"
  status=$(cat "$out/status")
  runs=$(final_stat "$log" number_of_executed_units)
  per_second=$(final_stat "$log" average_exec_per_sec)
  new_units=$(final_stat "$log" new_units_added)
  rss=$(final_stat "$log" peak_rss_mb)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || true)
  line="fuzz: $name: ${runs:-?} runs, ${per_second:-?}/s, +${new_units:-?} inputs, ${cov:-cov: ?}, peak ${rss:-?} MB"
  if [ "$status" = 0 ]; then
    echo "$line: nothing found"
    continue
  fi
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  what=$(grep -m1 -E '^SUMMARY|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error' "$log" || true)
  if [ -z "$artifact" ] && [ -z "$what" ]; then
    broken+=("$name")
    echo "$line: the program did not fuzz (exit $status; log $log)"
    continue
  fi
  found+=("$name")
  echo "$line: FOUND (exit $status) ${what:-see the log}"
  echo "fuzz: $name: input ${artifact:-not written}; log $log"
  [ -z "$artifact" ] ||
    echo "fuzz: $name: reproduce: ASAN_OPTIONS=$ASAN_OPTIONS ${programs[$i]} -timeout=${timeouts[$i]} -rss_limit_mb=$rss_limit_mb $artifact"
  # A CI machine (or a fresh-machine chroot) is gone after the run: put a small
  # input into the log itself, so it can be rebuilt with `base64 -d`.
  if [ -n "$artifact" ] && [ -f "$artifact" ] && [ "$(stat -c %s "$artifact")" -le 16384 ]; then
    echo "fuzz: $name: the input, base64 (decode with base64 -d):"
    base64 -w 0 "$artifact" | sed 's/^/fuzz: /'
    echo
  fi
  # The first lines of the report (stack and reason) also go to the CI log.
  grep -m 12 -E '^(==[0-9]+==|    #[0-9]+ |SUMMARY|.*runtime error|.*deadly signal)' "$log" | sed "s/^/fuzz: $name: /" || true
done

if [ "$merge" = 1 ]; then
  for i in "${!names[@]}"; do
    out="$out_root/${names[$i]}"
    before=$(find "${corpora[$i]}" -type f | wc -l)
    "${programs[$i]}" -merge=1 -max_len="${max_lens[$i]}" -rss_limit_mb="$rss_limit_mb" \
      -timeout="${timeouts[$i]}" "${corpora[$i]}" "$out/new-corpus" >"$out/merge.log" 2>&1
    after=$(find "${corpora[$i]}" -type f | wc -l)
    echo "fuzz: ${names[$i]}: merged $((after - before)) inputs into ${corpora[$i]}"
  done
fi

[ ${#broken[@]} -eq 0 ] || echo "fuzz: ${broken[*]} did not run; see the logs above"
if [ ${#found[@]} -gt 0 ]; then
  echo "fuzz: findings in ${found[*]}; keep each input under tests/fuzz/<target>/crashes-found/ until fixed"
  exit 1
fi
[ ${#broken[@]} -eq 0 ] || exit 2
echo "fuzz: ${#names[@]} targets ran $seconds s each; nothing found"
