#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind) for docs/BENCHMARKS.md §5. Unlike wall time,
# an instruction count is the same for the same binary and input whatever else the machine is
# doing, so before/after comparisons of a change do not need a quiet machine.
#
#   scripts/callgrind.sh translation [FILTER]   # Ir per encode/decode step (default: all cases)
#   scripts/callgrind.sh gateway [sqlite|postgres] [N]
#                                               # Ir per payment in `paymux serve` (N payments)
#
# Output goes to target/callgrind/; `callgrind_annotate --inclusive=yes FILE` shows the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 1; }
out=target/callgrind
mkdir -p "$out"

bench_exe() { # the release executable of a facade bench target, built if needed
  cargo bench -p paymux --no-default-features --features all-adapters --bench "$1" --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]==sys.argv[1] and m.get("executable"): print(m["executable"])' "$1" | tail -1
}

total_ir() { # "summary:" / "totals:" line of a callgrind file
  awk '/^(summary|totals):/ {print $2; exit}' "$1"
}

case "${1:-}" in
translation)
  exe=$(bench_exe translation)
  # Two runs, 100 and 300 calls per step, one dump after each step: the difference divided by
  # 200 is the cost of one call, free of the set-up the first dump also holds.
  for n in 100 300; do
    rm -f "$out/translation-$n".out*
    PAYMUX_BENCH_PROFILE=$n PAYMUX_BENCH_FILTER="${2:-}" valgrind --tool=callgrind \
      --callgrind-out-file="$out/translation-$n.out" \
      --dump-after='*profile_encode*' --dump-after='*profile_decode*' \
      "$exe" --bench >"$out/translation.steps" 2>"$out/translation-$n.valgrind"
  done
  printf '%-62s %14s\n' "step" "Ir per call"
  i=0
  grep '^profile ' "$out/translation.steps" | while IFS= read -r line; do
    i=$((i + 1))
    a=$(total_ir "$out/translation-100.out.$i")
    b=$(total_ir "$out/translation-300.out.$i")
    step=$(echo "$line" | sed 's/^profile //; s/ | [0-9]*$//')
    printf '%-62s %14d\n' "$step" $(((b - a) / 200))
  done
  ;;
gateway)
  backend=${2:-sqlite}
  n=${3:-1000}
  cargo build --release -p paymux --no-default-features --features all-adapters,simulators --bin paymux
  loader=$(bench_exe load)
  port=$((20000 + RANDOM % 20000))
  secret=callgrind
  case "$backend" in
  sqlite)
    db="sqlite:$out/gateway.sqlite"
    rm -f "$out"/gateway.sqlite*
    ;;
  postgres)
    name="paymux_callgrind_$$"
    psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE $name" >/dev/null
    trap 'psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null' EXIT
    db="postgres://postgres@127.0.0.1:5432/$name"
    ;;
  *) echo "gateway: sqlite or postgres" >&2; exit 2 ;;
  esac
  rm -f "$out/gateway-$backend.out"
  valgrind --tool=callgrind --callgrind-out-file="$out/gateway-$backend.out" \
    target/release/paymux serve --listen "127.0.0.1:$port" --api-secret "$secret" \
    --database "$db" >"$out/gateway-$backend.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
  "$loader" --gateway "http://127.0.0.1:$port" --secret "$secret" --channel-key galaxia-test \
    --label callgrind --concurrency 4 --warmup 0 --duration 600 --count "$n" | grep '^RESULT'
  kill -INT "$pid"
  wait "$pid" || true
  ir=$(total_ir "$out/gateway-$backend.out")
  echo "gateway ($backend): $ir Ir for $n payments (incl. start-up) = $((ir / n)) Ir per payment"
  echo "tree: callgrind_annotate --inclusive=yes $out/gateway-$backend.out | head -60"
  ;;
*)
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
