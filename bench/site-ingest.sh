#!/usr/bin/env bash
# Site-node ingest throughput (issue 12): the whole site pipeline beside de-identification alone
# and GDCM's `gdcmanon -e`, on the same files, in one run. bench/SiteIngestBench.java runs in one
# JVM; after WARMUP (3) untimed warm-up passes it runs REPS repetitions, each the three rows back to back
# (so they see the same load):
#   pipeline   IngestPipeline.ingest per file (read bytes, SHA-256, parse, ingest profile, consent
#              lookup, Table 1 category, grades, de-identified derivative) with the real StoreSink
#              over a real ObjectStore (fresh site per repetition: `site init` layout, keystore,
#              SQLite index) and the AuditRecorder over the real signed AuditLog: two encrypted
#              objects per file stored by one ObjectStore.putPair (both temp files fsynced, one
#              keys.db commit, renames + folder fsyncs, one index transaction), two audit records
#              per file written with one force (AuditLog.appendAll)
#   deid       the same Deidentifier and profile the pipeline builds, in-process: read bytes,
#              parse, de-identify, Table 2 note, write the derivative to memory (no file written)
#   gdcmanon   `gdcmanon -e --continue -r -c CERT -i IN -o OUT`, whole command (process start
#              included), writes one file per input without fsync
#   fsync-floor  the disk alone: write a file of the input's size, fsync, rename, fsync the folder
# It prints files/s and MB/s (median, min, max of REPS), the ratios pipeline/deid and
# pipeline/gdcmanon (median of the per-repetition ratios), the pipeline's time split into read,
# decide, store and audit (µs per file, mean over the repetitions), and the load average.
#
# The default data set is the one bench/deid-vs-gdcmanon.sh makes: COPIES (300) copies of a
# 384 KiB MR (pydicom's MR_small.dcm scaled to 256×256, 3 frames of 16 bits, explicit VR little
# endian, 394,868 bytes), each with its own SOP Instance UID.
#
# Usage: [REPS=5] [COPIES=300] [WARMUP=3] [SERVE=1] bench/site-ingest.sh [INPUT_DIR]
#   WARMUP     untimed passes of pipeline + deid first (the JDK's AES-GCM intrinsics need some
#              thousand encryptions); the first one is printed as pipeline-1st (a fresh daemon)
#   INPUT_DIR  files the example site.yaml accepts (CT or MR, distinct SOP Instance UIDs)
#   SERVE=1    also time `medveil site serve --config` end to end: all files copied into the inbox
#              at once, time until the inbox is empty (optional row, one run, JVM already started)
# Needs: java 17, openssl, gdcmanon (libgdcm-tools), /usr/bin/python3 with pydicom and numpy;
# cli/target/medveil.jar (built by ./medveil when missing or stale).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COPIES=${COPIES:-300}
REPS=${REPS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

command -v gdcmanon >/dev/null || { echo "gdcmanon missing: apt-get install -y libgdcm-tools" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl missing" >&2; exit 2; }

if [ $# -ge 1 ]; then
  IN=$(cd "$1" && pwd)
else
  IN=$WORK/in
  /usr/bin/python3 - "$IN" "$COPIES" <<'PY'
import os, sys
import numpy as np
import pydicom
from pydicom.uid import ExplicitVRLittleEndian
out, n = sys.argv[1], int(sys.argv[2])
ds = pydicom.dcmread(os.path.join(os.path.dirname(pydicom.__file__), 'data/test_files/MR_small.dcm'))
img = np.kron(ds.pixel_array.astype(np.int32), np.ones((4, 4), dtype=np.int32))  # 64×64 → 256×256
rng = np.random.default_rng(9)
frames = np.stack([np.clip(img + rng.integers(-20, 20, img.shape), 0, 65535) for _ in range(3)]).astype('<u2')
ds.Rows, ds.Columns, ds.NumberOfFrames = 256, 256, 3
ds.PixelData = frames.tobytes()  # 393,216 bytes = 384 KiB
ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
base = ds.SOPInstanceUID
os.makedirs(out)
for i in range(n):
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = '%s.%d' % (base, i + 1)
    ds.save_as(os.path.join(out, 'MR%04d.dcm' % (i + 1)), write_like_original=False)
PY
fi
FILES=$(find "$IN" -type f | wc -l)
BYTES=$(find "$IN" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')

# The launcher builds cli/target/medveil.jar when it is missing or stale.
./medveil --version > /dev/null 2>&1 || ./medveil --help > /dev/null 2>&1 || true
JAR=$ROOT/cli/target/medveil.jar
[ -f "$JAR" ] || { echo "no $JAR: build it with ./medveil --help" >&2; exit 2; }

# A provisioned project: the site kit signs the audit checkpoints.
(cd "$WORK" && java -jar "$JAR" provision init --project bench --coordinator localhost:1 --out prov \
  --site hospital-a --user dm:data-manager > provision.log 2>&1) || { cat "$WORK/provision.log" >&2; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=medveil-bench" \
  -keyout "$WORK/escrow-rsa.pem" -out "$WORK/escrow-cert.pem" 2>/dev/null
# untimed: input files and gdcmanon into the page cache
mkdir -p "$WORK/gdcm-warm" && gdcmanon -e --continue -r -c "$WORK/escrow-cert.pem" -i "$IN" -o "$WORK/gdcm-warm" > /dev/null 2>&1
rm -rf "$WORK/gdcm-warm"

printf 'input: %d files, %.1f MB (%s)\n' "$FILES" "$(echo "$BYTES / 1000000" | bc -l)" "$IN"
printf 'machine: %s processors, %s, %s; medveil %s; %s\n' "$(nproc)" "$(java -version 2>&1 | head -1)" \
  "$(df -T "$WORK" | awk 'NR == 2 {print $2 " at " $7}')" "$(git log -1 --format=%h 2>/dev/null || echo unknown)" "$(date -u '+%F %H:%M UTC')"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
java -cp "$JAR" bench/SiteIngestBench.java "$IN" "$WORK" "$WORK/prov/sites/hospital-a" "$WORK/escrow-cert.pem" "$REPS" \
  > "$WORK/result.txt" 2> "$WORK/bench.err" || { cat "$WORK/bench.err" >&2; exit 1; }
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average: $LOAD0 before, $LOAD1 after ($(nproc) processors)"

awk -v files="$FILES" -v bytes="$BYTES" -v reps="$REPS" '
  function median(a, n,   i, j, t, v) {
    for (i = 1; i <= n; i++) v[i] = a[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  $1 ~ /^phase-/ { phase[$1] = $2; next }
  $1 == "pipeline-cold" { cold = $2; next }
  { for (i = 2; i <= NF; i++) secs[$1, i - 1] = $i; n = NF - 1 }
  function row(key, label,   i, r, lo, hi) {
    lo = 1e18; hi = 0
    for (i = 1; i <= n; i++) { r[i] = files / secs[key, i]; if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
    m = median(r, n)
    printf "  %-12s %7.1f files/s  %6.1f MB/s   (min %.1f, max %.1f files/s)  %s\n", key, m, m * bytes / files / 1e6, lo, hi, label
  }
  function ratio(a, b,   i, r) { for (i = 1; i <= n; i++) r[i] = secs[b, i] / secs[a, i]; return median(r, n) }
  END {
    printf "median of %d repetitions (each: pipeline, deid, gdcmanon, fsync-floor back to back):\n", n
    row("pipeline", "whole site pipeline, 2 objects + 2 audit records per file, all fsynced")
    printf "  %-12s %7.1f files/s                 first warm-up pass (fresh JVM, like a just started daemon; not in the ratios)\n", "pipeline-1st", files / cold
    row("deid", "de-identification alone, in-process, derivative to memory")
    row("gdcmanon", "gdcmanon -e whole command, files written without fsync")
    row("fsync-floor", "disk alone: write + fsync + rename + folder fsync, one file per input")
    printf "ratios (median of per-repetition ratios): pipeline/deid %.3f  pipeline/gdcmanon %.3f  pipeline/fsync-floor %.3f\n",
        ratio("pipeline", "deid"), ratio("pipeline", "gdcmanon"), ratio("pipeline", "fsync-floor")
    t = phase["phase-read"] + phase["phase-decide"] + phase["phase-store"] + phase["phase-audit"]
    printf "pipeline per file (us, mean of the timed repetitions): read %.0f  decide %.0f  store %.0f  audit %.0f  (total %.0f)\n",
        phase["phase-read"], phase["phase-decide"], phase["phase-store"], phase["phase-audit"], t
    printf "  decide = SHA-256, parse, profile/consent checks, category, grades, de-identification to memory\n"
    printf "  CPU of the working thread: store %.0f (user %.0f, system %.0f), audit %.0f (user %.0f, system %.0f)\n",
        phase["phase-store-cpu"], phase["phase-store-user"], phase["phase-store-cpu"] - phase["phase-store-user"],
        phase["phase-audit-cpu"], phase["phase-audit-user"], phase["phase-audit-cpu"] - phase["phase-audit-user"]
    printf "  (system time includes the kernel writing pages back inside fsync; the rest of the wall time is waiting on the disk)\n"
    printf "  store  = StoreSink: ObjectStore.putPair (encrypt 2 objects, 2 temp files + fsync, one keys.db commit, renames + folder fsyncs, one index txn)\n"
    printf "  audit  = AuditRecorder: ingest + deid records, one force to disk (AuditLog.appendAll; signed checkpoint every 100 records)\n"
  }' "$WORK/result.txt"

if [ "${SERVE:-0}" = 1 ]; then
  # Optional: the daemon end to end. `site serve` with the inbox only (SCP and admin API on free
  # ports), all files copied into the inbox at once; time from the first copy until the inbox holds
  # no more files (each leaves only after it is durable and audited). The copy time is included.
  SITE=$WORK/serve-site
  (cd "$WORK" && java -jar "$JAR" site init --kit prov/sites/hospital-a --out serve-site > /dev/null)
  ADMIN_PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed -i -e 's/^\(\s*quietMillis:\).*/\1 200/' -e 's/^\(\s*rescanSeconds:\).*/\1 1/' \
    -e 's/^\(\s*enabled:\).*/\1 false/' -e "s/^\(\s*port:\) 8444/\1 $ADMIN_PORT/" "$SITE/site.yaml"
  (cd "$WORK" && exec java -jar "$JAR" site serve --kit prov/sites/hospital-a --config serve-site/site.yaml \
    > serve.log 2>&1) &
  SERVE_PID=$!
  for _ in $(seq 1 100); do grep -q 'site node ingesting' "$WORK/serve.log" && break; sleep 0.2; done
  grep -q 'site node ingesting' "$WORK/serve.log" || { cat "$WORK/serve.log" >&2; kill "$SERVE_PID"; exit 1; }
  t0=$(date +%s.%N)
  cp "$IN"/* "$SITE/inbox/"
  while [ -n "$(find "$SITE/inbox" -maxdepth 1 -type f -print -quit)" ]; do sleep 0.05; done
  t1=$(date +%s.%N)
  kill "$SERVE_PID"; wait "$SERVE_PID" || true
  refused=$( (find "$SITE/inbox/.refused" -type f -name "*.dcm" 2>/dev/null || true) | wc -l)
  awk -v t0="$t0" -v t1="$t1" -v files="$FILES" -v bytes="$BYTES" -v refused="$refused" 'BEGIN {
    s = t1 - t0
    printf "site serve (optional, one run): %.1f files/s  %.1f MB/s  (%.2f s from first copy to empty inbox, quietMillis 200, %d refused)\n",
        files / s, bytes / s / 1e6, s, refused }'
fi
