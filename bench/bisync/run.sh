#!/usr/bin/env bash
# Benchmark: `axios-bisync run` vs plain `rclone bisync` on the same 10,000-file pair,
# no changes and 1% changes, in the same run, interleaved. Run by hand (not by the tests):
#
#   cargo build --release -p axios-bisync
#   bench/bisync/run.sh [ROUNDS]        # default 7 rounds per scenario
#
# Both tools get their own copy of an identical tree (so neither sees the other's
# changes) and the same rclone flags the guard uses (--check-access --check-filename
# --max-delete -v), so the ratio measures the guard's own work: its checks, the
# deletion guard (listings + tree walks), the journal and the state file.
set -euo pipefail

ROUNDS=${1:-7}
FILES=10000
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
BIN=${AXIOS_BISYNC:-$ROOT/target/release/axios-bisync}
RCLONE=${RCLONE:-rclone}
[ -x "$BIN" ] || { echo "build first: cargo build --release -p axios-bisync" >&2; exit 2; }
command -v "$RCLONE" >/dev/null || { echo "rclone not found" >&2; exit 2; }

W=$(mktemp -d /tmp/bisync-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "workspace $W; $("$RCLONE" version | head -1); $FILES files; $ROUNDS rounds" >&2

mk_tree() { # $1 = dir
  python3 - "$1" "$FILES" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
        f.write(f"file {i} " * (10 + i % 50))
EOF
  touch "$1/RCLONE_TEST"
}

# Pair A: plain rclone. Pair B: axios-bisync.
for p in A B; do
  mkdir -p "$W/$p/p1" "$W/$p/p2" "$W/$p/wd"
  mk_tree "$W/$p/p1"
  touch "$W/$p/p2/RCLONE_TEST"
done
cat > "$W/bisync.toml" <<EOF
version = 1
state_dir = "$W/B/state"
rclone = "$(command -v "$RCLONE")"
[pairs.bench]
path1 = "$W/B/p1"
path2 = "$W/B/p2"
max_delete_count = 1000
max_delete_percent = 50
EOF

"$RCLONE" bisync "$W/A/p1" "$W/A/p2" --workdir "$W/A/wd" --resync -q 2>/dev/null
"$BIN" --config "$W/bisync.toml" --no-notify -q init bench --yes >/dev/null

plain() {
  "$RCLONE" bisync "$W/A/p1" "$W/A/p2" --workdir "$W/A/wd" --check-access \
    --check-filename RCLONE_TEST --max-delete 50 -v >/dev/null 2>&1
}
guard() {
  DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent "$BIN" --config "$W/bisync.toml" --no-notify -q run bench >/dev/null
}
change() { # $1 = pair, $2 = round: modify 1% of the files (100) on path1
  local i
  for i in $(seq 0 99); do
    printf 'changed in round %s\n' "$2" >> "$W/$1/p1/d$(printf %03d "$i")/f$(printf %05d $((i * 100 + 7))).txt"
  done
}
ms() { local s e; s=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -a P0 G0 P1 G1
for r in $(seq 1 "$ROUNDS"); do
  # Interleave and alternate the order to spread cache and CPU effects.
  if (( r % 2 )); then P0+=("$(ms plain)"); G0+=("$(ms guard)"); else G0+=("$(ms guard)"); P0+=("$(ms plain)"); fi
  change A "$r"; change B "$r"
  if (( r % 2 )); then P1+=("$(ms plain)"); G1+=("$(ms guard)"); else G1+=("$(ms guard)"); P1+=("$(ms plain)"); fi
done

# Same result on both pairs: the guard changed nothing about what got synced.
diff -r "$W/A/p2" "$W/B/p2" >/dev/null && echo "check: both pairs hold identical trees" >&2

report() { # name, plain[], guard[]
  local name=$1; shift
  local p g
  p=$(printf '%s\n' "${@:1:ROUNDS}" | median)
  g=$(printf '%s\n' "${@:ROUNDS+1}" | median)
  awk -v n="$name" -v p="$p" -v g="$g" 'BEGIN { printf "| %-12s | %8d ms | %8d ms | %5.2f |\n", n, p, g, g / p }'
}
echo "| scenario     | rclone bisync | axios-bisync run | ratio |"
echo "|--------------|---------------|------------------|-------|"
report "no changes" "${P0[@]}" "${G0[@]}"
report "1% changed" "${P1[@]}" "${G1[@]}"
echo "raw no-change plain: ${P0[*]} | guard: ${G0[*]}" >&2
echo "raw 1%-change plain: ${P1[*]} | guard: ${G1[*]}" >&2
