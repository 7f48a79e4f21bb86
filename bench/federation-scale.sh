#!/usr/bin/env bash
# Federation at scale (issue 13): round wall time, bytes on the wire and coordinator peak memory
# with HE on and off, for the demo model (3 sites) and for a 10^7-parameter update from 10 sites,
# and the HE/plaintext ratios. Goal: HE round wall time <= 1.15x plaintext.
#
# Per row and setting (HE, then plaintext), all fresh: a provisioned project (`provision init`),
# the real `coordinator serve` daemon from the packaged jar in its own JVM (so its peak memory is
# its own), and bench/FederationScaleBench.java in a second JVM: a counting TCP proxy in front of
# the coordinator's port, N site federation clients (real kits, mTLS gRPC, SiteJobs: offer checks,
# auto-approved use request, key setup, rounds, bulk Transfer uploads, verified threshold
# decryption) whose local training is synthetic (a seeded random update of P parameters; the
# site declares its selectable data instead of summarising a store of DICOM), and the researcher
# (signed DUAs, JobClient.submit, watch). Local training here costs ~nothing, so the rows show the
# federation's own cost; bench/federation-rounds.sh measures the demo with real DL4J training.
#
# Printed per row and setting: median round wall time (coordinator's round start -> finish),
# bytes through the proxy per round (both directions, TLS records: the real wire bytes, median),
# coordinator peak RSS (VmHWM of its process) and peak Java heap after GC (from -Xlog:gc), the
# phases as the sites saw them (median seconds), and the HE/plaintext ratios.
#
# Env: ROWS ("demo scale"), SETTINGS ("he plain"), HE (n8192)
#      demo row:  DEMO_SITES (3), DEMO_ROUNDS (3), model cnn:input=32 (what `medveil demo` trains)
#      scale row: SITES (10), PARAMS (10000000: the zoo cnn nearest to it), ROUNDS (2)
#      SITES_HEAP (12g: heap of the sites' JVM), MEDVEIL_JAR (cli/target/medveil.jar), WORK (temp, kept if set)
# Needs java 17 and the packaged jar: ./mvnw -B -o -pl cli -am package -Dmaven.test.skip=true
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-demo scale}; HE=${HE:-n8192}; SETTINGS=${SETTINGS:-he plain}
DEMO_SITES=${DEMO_SITES:-3}; DEMO_ROUNDS=${DEMO_ROUNDS:-3}
SITES=${SITES:-10}; PARAMS=${PARAMS:-10000000}; ROUNDS=${ROUNDS:-2}
SITES_HEAP=${SITES_HEAP:-12g}
JAR=${MEDVEIL_JAR:-cli/target/medveil.jar}
[ -f "$JAR" ] || { echo "federation-scale: missing $JAR; build it: ./mvnw -B -pl cli -am package -Dmaven.test.skip=true" >&2; exit 1; }
if [ -z "${WORK:-}" ]; then WORK=$(mktemp -d); KEEP=0; else mkdir -p "$WORK"; KEEP=1; fi
WORK=$(cd "$WORK" && pwd)
COORD_PID=
cleanup() {
  if [ -n "$COORD_PID" ]; then kill "$COORD_PID" 2>/dev/null || true; wait "$COORD_PID" 2>/dev/null || true; fi
  [ "$KEEP" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
cp "$JAR" "$WORK/medveil.jar"   # a concurrent build must not swap the jar under the benchmark
cp bench/FederationScaleBench.java "$WORK/"
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
die() { echo "federation-scale: $*" >&2; exit 1; }

# run ROW SETTING SITES MODEL ROUNDS HE_SET -> $WORK/ROW-SETTING/summary
run() {
  local row=$1 setting=$2 n=$3 model=$4 rounds=$5 he=$6
  local dir="$WORK/$row-$setting" port
  mkdir -p "$dir"
  port=$(free_port)
  local args=(--project bench --coordinator "localhost:$port" --out "$dir/project" --user rita:researcher)
  for i in $(seq 1 "$n"); do args+=(--site "site-$i" --user "dm-$i:data-manager"); done
  java -jar "$WORK/medveil.jar" provision init "${args[@]}" > "$dir/provision.log" 2>&1 \
    || { cat "$dir/provision.log" >&2; die "$row/$setting: provisioning failed"; }
  java -Xlog:gc:file="$dir/gc.log" -jar "$WORK/medveil.jar" coordinator serve --kit "$dir/project/coordinator" \
    --listen "127.0.0.1:$port" --state-dir "$dir/state" > "$dir/coordinator.log" 2>&1 &
  COORD_PID=$!
  for _ in $(seq 1 300); do grep -q 'listening on' "$dir/coordinator.log" && break; sleep 0.2; done
  grep -q 'listening on' "$dir/coordinator.log" || { tail -20 "$dir/coordinator.log" >&2; die "$row/$setting: the coordinator did not start"; }
  echo "  $row/$setting: $n sites, $rounds rounds, $(date -u '+%H:%M:%S') UTC ..." >&2
  if ! java -Xmx"$SITES_HEAP" -cp "$WORK/medveil.jar" "$WORK/FederationScaleBench.java" "$dir/project" "$dir" "$port" \
      "$n" "$model" "$rounds" "$he" > "$dir/result.txt" 2> "$dir/sites.log"; then
    echo "--- sites (last 30 lines of $dir/sites.log):" >&2; tail -30 "$dir/sites.log" >&2
    echo "--- coordinator (last 30 lines of $dir/coordinator.log):" >&2; tail -30 "$dir/coordinator.log" >&2
    echo "--- what the sites saw of each round:" >&2; grep '^round index' "$dir/sites.log" >&2 || true
    echo "--- coordinator peak RSS so far: $(awk '/^VmHWM/ {print $2, $3}' "/proc/$COORD_PID/status")" >&2
    die "$row/$setting: the federated job failed; logs in $dir (kept only when WORK=DIR is set)"
  fi
  local hwm cpu
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$COORD_PID/status")
  # utime + stime of the coordinator's process, in clock ticks
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$COORD_PID/stat")
  kill "$COORD_PID"; wait "$COORD_PID" 2>/dev/null || true; COORD_PID=
  # the largest heap left after a collection (G1 lines "... 123M->45M(256M) ...")
  local heap
  heap=$(sed -n 's/.*[0-9]M->\([0-9]*\)M([0-9]*M).*/\1/p' "$dir/gc.log" | sort -n | tail -1)
  awk -v cpu="$cpu" -v hwm="$hwm" -v heap="${heap:-0}" -v row="$row" -v setting="$setting" '
    function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == "parameters" { p = $2 }
    $1 == "model" { m = $2 }
    $1 == "round" { k++; w[k] = $4; b[k] = $6; dl[k] = $8; tr[k] = $10; up[k] = $12; ve[k] = $14; de[k] = $16
                     if ($6 < 0) { print "round " $2 ": the sites did not all receive its result" > "/dev/stderr"; bad = 1; exit 1 } }
    $1 == "job_bytes" { jb = $2 }
    $1 == "sites_cpu" { sc = $2 }
    END {
      if (bad) exit 1
      printf "%s %s %s %d %d %.3f %.0f %d %d %.3f %.3f %.3f %.3f %.3f %d %s %s\n", row, setting, m, p, k, median(w, k),
        median(b, k), hwm, heap, median(dl, k), median(tr, k), median(up, k), median(ve, k), median(de, k), jb, cpu, sc
    }' "$dir/result.txt" > "$dir/summary"
}

LOAD0=$(uptime)
echo "federation-scale: medveil $(git log -1 --format=%h 2>/dev/null || echo unknown), $(date -u '+%F %H:%M UTC'), $(nproc) processors, $(java -version 2>&1 | head -1)"
echo "load before: $LOAD0"
echo "(demo with real DL4J training: bench/federation-rounds.sh; here local training is a synthetic random update)"
for row in $ROWS; do
  case $row in
    demo)  n=$DEMO_SITES; model="cnn:input=32"; rounds=$DEMO_ROUNDS ;;
    scale) n=$SITES; model="params=$PARAMS"; rounds=$ROUNDS ;;
    *) die "unknown row '$row' in ROWS; use demo and/or scale" ;;
  esac
  for setting in $SETTINGS; do
    case $setting in
      he) run "$row" he "$n" "$model" "$rounds" "$HE" ;;
      plain) run "$row" plain "$n" "$model" "$rounds" plaintext ;;
      *) die "unknown setting '$setting' in SETTINGS; use he and/or plain" ;;
    esac
  done
done
echo "load after:  $(uptime)"
echo
printf '%-6s %-10s %11s %5s %6s %10s %14s %12s %12s\n' row setting parameters sites rounds "round (s)" "wire MB/round" "coord RSS MB" "coord heap MB"
for row in $ROWS; do
  for setting in $SETTINGS; do
    n=$(ls -d "$WORK/$row-$setting/sites"/site-* | wc -l)
    read -r _ _ m p k w b hwm heap dl tr up ve de jb < "$WORK/$row-$setting/summary"
    label=$([ "$setting" = he ] && echo "HE $HE" || echo plaintext)
    printf '%-6s %-10s %11d %5d %6d %10.2f %14.1f %12.0f %12d\n' "$row" "$label" "$p" "$n" "$k" "$w" "$(echo "$b / 1000000" | bc -l)" \
      "$(echo "$hwm / 1024" | bc -l)" "$heap"
  done
done
echo
echo "phases (median s over rounds, as the sites saw them): download = model to the last site; train = synthetic"
echo "update; upload = last site trained -> coordinator asks for decryption (HE: encrypt, sign, upload, check, add) or"
echo "sends the result (plaintext: upload, add, strategy, manifest); verify = key holders check the aggregate and"
echo "challenge; decrypt = openings checked, decryption shares, combine, strategy, manifest. CPU = user + system"
echo "seconds of the whole run (coordinator process; sites JVM incl. the proxy, the researcher and start-up)"
printf '%-6s %-10s %9s %9s %9s %9s %9s %16s %14s\n' row setting download train upload verify decrypt "coord CPU (s)" "sites CPU (s)"
for row in $ROWS; do
  for setting in $SETTINGS; do
    read -r _ _ m p k w b hwm heap dl tr up ve de jb cc sc < "$WORK/$row-$setting/summary"
    printf '%-6s %-10s %9.2f %9.2f %9.2f %9.2f %9.2f %16s %14s\n' "$row" "$setting" "$dl" "$tr" "$up" "$ve" "$de" "$cc" "$sc"
  done
done
echo
for row in $ROWS; do
  [ -f "$WORK/$row-he/summary" ] && [ -f "$WORK/$row-plain/summary" ] || continue
  read -r _ _ m p _ wh bh hh gh _ < "$WORK/$row-he/summary"
  read -r _ _ _ _ _ wp bp hp gp _ < "$WORK/$row-plain/summary"
  awk -v row="$row" -v m="$m" -v wh="$wh" -v wp="$wp" -v bh="$bh" -v bp="$bp" -v hh="$hh" -v hp="$hp" -v gh="$gh" -v gp="$gp" 'BEGIN {
    printf "%s (%s) HE/plaintext: round wall time %.2fx (goal <= 1.15x), wire bytes %.2fx, coordinator RSS %.2fx, heap after GC %.2fx\n",
      row, m, wh / wp, bh / bp, hh / hp, (gp > 0 ? gh / gp : 0) }'
done
