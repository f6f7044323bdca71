#!/usr/bin/env bash
# Benchmark: one `axios-vr select` (the whole transaction: checks, lock, journal, original
# backup, atomic symlink swap, vrpath merge, verify, commit) against the naive switch people
# script by hand (`ln -sfn` the manifest, rewrite the vrpath's runtime with jq, mv), on the
# same fake home, alternating WiVRn and ALVR, interleaved rounds. No units (no D-Bus): this
# measures the program's own file work and start-up. Run by hand (not by the tests):
#
#   cargo build --release -p axios-vr
#   bench/vr/run.sh [SWITCHES]          # default 200 per variant, in rounds of 20
set -euo pipefail

N=${1:-200}
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
BIN=${AXIOS_VR:-$ROOT/target/release/axios-vr}
FIX=$ROOT/crates/vr/tests/fixtures/manifests
[ -x "$BIN" ] || { echo "build first: cargo build --release -p axios-vr" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found" >&2; exit 2; }

W=$(mktemp -d /tmp/vr-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

mk_home() { # $1 = home
  local h=$1 s=$W/store
  mkdir -p "$s/wivrn/share/openxr/1" "$s/wivrn/lib/wivrn" "$s/xrizer/lib/xrizer" \
    "$h/.local/share/Steam/steamapps/common/SteamVR/bin/linux64" "$h/.config/openvr"
  cp "$FIX/openxr_wivrn.json" "$s/wivrn/share/openxr/1/"
  : > "$s/wivrn/lib/wivrn/libopenxr_wivrn.so"
  cp "$FIX/steamxr_linux64.json" "$h/.local/share/Steam/steamapps/common/SteamVR/"
  : > "$h/.local/share/Steam/steamapps/common/SteamVR/bin/linux64/vrclient.so"
  sed "s|@HOME@|$h|g" "$FIX/steam.vrpath" > "$h/.config/openvr/openvrpaths.vrpath"
}
mk_home "$W/a"
mk_home "$W/b"
cat > "$W/vr.toml" <<TOML
version = 1
[backends.wivrn]
manifest = "$W/store/wivrn/share/openxr/1/openxr_wivrn.json"
openvr_runtime = "$W/store/xrizer/lib/xrizer"
[backends.alvr]
manifest = "~/.local/share/Steam/steamapps/common/SteamVR/steamxr_linux64.json"
openvr_runtime = "~/.local/share/Steam/steamapps/common/SteamVR"
TOML

naive() { # $1 = home, $2 = backend
  local h=$1 m r
  if [ "$2" = wivrn ]; then m=$W/store/wivrn/share/openxr/1/openxr_wivrn.json; r=$W/store/xrizer/lib/xrizer
  else m=$h/.local/share/Steam/steamapps/common/SteamVR/steamxr_linux64.json; r=$h/.local/share/Steam/steamapps/common/SteamVR; fi
  mkdir -p "$h/.config/openxr/1"
  ln -sfn "$m" "$h/.config/openxr/1/active_runtime.json"
  jq --arg r "$r" '.runtime = [$r]' "$h/.config/openvr/openvrpaths.vrpath" > "$h/.config/openvr/.tmp"
  mv "$h/.config/openvr/.tmp" "$h/.config/openvr/openvrpaths.vrpath"
}

ns() { date +%s%N; }
ax() { HOME=$W/b XDG_CONFIG_HOME='' XDG_STATE_HOME='' XR_RUNTIME_JSON='' "$BIN" --config "$W/vr.toml" -q select "$@" > /dev/null; }
# ROUNDS rounds of K switches per variant, interleaved; the per-switch median over rounds
K=20
ROUNDS=$(( (N + K - 1) / K ))
: > "$W/naive"; : > "$W/axios"; : > "$W/dry"
for ((r = 0; r < ROUNDS; r++)); do
  s=$(ns); for ((i = 0; i < K; i++)); do naive "$W/a" "$([ $((i % 2)) = 0 ] && echo wivrn || echo alvr)"; done; e=$(ns)
  echo $(( (e - s) / K )) >> "$W/naive"
  s=$(ns); for ((i = 0; i < K; i++)); do ax "$([ $((i % 2)) = 0 ] && echo wivrn || echo alvr)"; done; e=$(ns)
  echo $(( (e - s) / K )) >> "$W/axios"
  s=$(ns); for ((i = 0; i < K; i++)); do ax wivrn --dry-run; done; e=$(ns)
  echo $(( (e - s) / K )) >> "$W/dry"
done
# both homes must end in the same runtime
[ "$(readlink "$W/a/.config/openxr/1/active_runtime.json")" = "$(readlink "$W/b/.config/openxr/1/active_runtime.json" | sed "s|$W/b|$W/a|")" ] || { echo "homes differ" >&2; exit 1; }
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1e6 }'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds of $K switches per variant (median ms per switch)"
echo "naive ln + jq + mv:        $(med "$W/naive")"
echo "axios-vr select:           $(med "$W/axios")"
echo "axios-vr select --dry-run: $(med "$W/dry")   (start-up, config, manifest and vrpath checks only)"
awk -v a="$(med "$W/axios")" -v n="$(med "$W/naive")" 'BEGIN { printf "ratio axios-vr / naive:    %.2f\n", a / n }'
