#!/usr/bin/env bash
# Benchmark: `axios-bisync run` vs plain `rclone bisync` on the same 10,000-file pair,
# no changes and 1% changes, in the same run, interleaved. Run by hand (not by the tests):
#
#   cargo build --release -p axios-bisync
#   bench/bisync/run.sh [ROUNDS]        # default 7 rounds per scenario
#
# Both tools get their own copy of an identical tree (so neither sees the other's
# changes) and the same rclone flags the guard uses (--check-access --check-filename
# --max-delete -v, and --resilient --max-lock 2m from 1.66), so the ratio measures the guard's own work: its checks, the
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
  # the same time on both sides: rclone 1.75's --resync fails on same-content files whose times differ
  touch -r "$W/$p/p1/RCLONE_TEST" "$W/$p/p2/RCLONE_TEST"
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

# The flags the guard adds on this version (1.66+: --resilient --max-lock 2m), so both
# sides make rclone do the same work.
EXTRA=()
minor=$("$RCLONE" version | head -1 | sed -n 's/^rclone v1\.\([0-9]*\).*/\1/p')
if [ "${minor:-0}" -ge 66 ]; then EXTRA=(--resilient --max-lock 2m); fi
plain() {
  "$RCLONE" bisync "$W/A/p1" "$W/A/p2" --workdir "$W/A/wd" --check-access \
    --check-filename RCLONE_TEST --max-delete 50 -v "${EXTRA[@]}" >/dev/null 2>&1
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
# One measurement: "wall_ms cpu_ms" (cpu = user + sys of the process tree, which other load
# on a shared machine disturbs much less than wall time).
measure() {
  local TIMEFORMAT='%R %U %S' t
  t=$({ time "$@"; } 2>&1)
  awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%d,%d\n", a[1] * 1000, (a[2] + a[3]) * 1000 }'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The guard alone: same config, but an rclone whose `bisync` returns at once (every other
# subcommand is the real one). Its time is the guard's whole overhead plus the stand-in's
# own start (a `sh`), which stands where rclone's start-up is in a real run (and so is part
# of plain rclone's time): that start is measured on its own and subtracted.
printf '#!/bin/sh\ncase " $* " in *" bisync "*) exit 0;; esac\nexec %s "$@"\n' "$(command -v "$RCLONE")" > "$W/rclone-noop"
chmod +x "$W/rclone-noop"
sed "s|^rclone = .*|rclone = \"$W/rclone-noop\"|" "$W/bisync.toml" > "$W/overhead.toml"
overhead() {
  "$BIN" --config "$W/overhead.toml" --no-notify -q run bench >/dev/null
}
stub() {
  "$W/rclone-noop" bisync "$W/B/p1" "$W/B/p2" >/dev/null
}

declare -a P0 G0 P1 G1 O0 S0
for r in $(seq 1 "$ROUNDS"); do
  # Interleave and alternate the order to spread cache and CPU effects.
  if (( r % 2 )); then P0+=("$(measure plain)"); G0+=("$(measure guard)"); else G0+=("$(measure guard)"); P0+=("$(measure plain)"); fi
  O0+=("$(measure overhead)"); S0+=("$(measure stub)")
  change A "$r"; change B "$r"
  if (( r % 2 )); then P1+=("$(measure plain)"); G1+=("$(measure guard)"); else G1+=("$(measure guard)"); P1+=("$(measure plain)"); fi
done

# Same result on both pairs: the guard changed nothing about what got synced.
diff -r "$W/A/p2" "$W/B/p2" >/dev/null && echo "check: both pairs hold identical trees" >&2

col() { # field (1 wall, 2 cpu), values...
  local i=$1; shift
  printf '%s\n' "$@" | awk -F, -v i="$i" '{print $i}' | median
}
row() { # name, field, then ROUNDS plain values, ROUNDS guard values
  local name=$1 f=$2; shift 2
  local p g
  p=$(col "$f" "${@:1:ROUNDS}")
  g=$(col "$f" "${@:ROUNDS+1}")
  awk -v n="$name" -v p="$p" -v g="$g" 'BEGIN { printf "| %-18s | %10d ms | %13d ms | %5.2f |\n", n, p, g, g / p }'
}
echo "| median of $ROUNDS        | rclone bisync | axios-bisync run | ratio |"
echo "|--------------------|---------------|------------------|-------|"
row "no changes, wall" 1 "${P0[@]}" "${G0[@]}"
row "no changes, cpu" 2 "${P0[@]}" "${G0[@]}"
row "1% changed, wall" 1 "${P1[@]}" "${G1[@]}"
row "1% changed, cpu" 2 "${P1[@]}" "${G1[@]}"
ow=$(col 1 "${O0[@]}"); oc=$(col 2 "${O0[@]}")
sw=$(col 1 "${S0[@]}"); sc=$(col 2 "${S0[@]}")
pw=$(col 1 "${P0[@]}"); pc=$(col 2 "${P0[@]}")
awk -v ow="$ow" -v oc="$oc" -v sw="$sw" -v sc="$sc" -v pw="$pw" -v pc="$pc" 'BEGIN {
  printf "\nguard alone (rclone bisync stubbed out): %d ms wall, %d ms cpu, minus the stub'"'"'s own start (%d ms wall, %d ms cpu) = %.1f%% (wall) / %.1f%% (cpu) of a plain no-change run (%.1f%% / %.1f%% without subtracting it)\n", ow, oc, sw, sc, 100 * (ow - sw) / pw, 100 * (oc - sc) / pc, 100 * ow / pw, 100 * oc / pc }'
echo "raw wall,cpu no-change plain: ${P0[*]}" >&2
echo "raw wall,cpu no-change guard: ${G0[*]}" >&2
echo "raw wall,cpu 1%-change plain: ${P1[*]}" >&2
echo "raw wall,cpu 1%-change guard: ${G1[*]}" >&2
echo "raw wall,cpu guard alone:     ${O0[*]}" >&2
echo "raw wall,cpu stub alone:      ${S0[*]}" >&2
