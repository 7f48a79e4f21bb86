#!/usr/bin/env bash
# De-identification throughput of `medveil deid` against GDCM's `gdcmanon -e`, side by side on the
# same files in the same run (issue 9 part 6). Each of RUNS rounds (default 3) prints the load
# average and, in files/s:
#   gdcmanon        gdcmanon -e (Basic Profile + CMS escrow to an RSA certificate), whole command
#   cli-basic       ./medveil deid --threads 1, config/deid/basic.yaml, whole command (JVM start-up included)
#   cli-escrow      the same with config/deid/basic-escrow.yaml (AES-GCM escrow)
#   own-basic       what `medveil deid` reports itself for cli-basic (files only, no start-up)
#   steady-basic    bench/DeidPhases.java: one JVM, one thread, after warm-up, read → de-identify →
#   steady-escrow   write to files as the CLI does it (DeidCommand.one)
#   streamed-basic  the same with DicomReader.Options.PIXEL_DATA_IN_FILE: pixel data left in the
#   streamed-escrow input file and copied file to file by the kernel on write
# and the ratios to gdcmanon; then the engine alone in memory (µs per file) and the medians of all
# rounds. gdcmanon and medveil run one after the other within a round, so they see the same load.
#
# The default data set is made here: COPIES (300) copies of a 384 KiB MR image (pydicom's
# MR_small.dcm scaled to 256×256, 3 frames, 16 bits, explicit VR little endian, ~395 kB per file),
# each with its own SOP Instance UID.
#
# Usage: [RUNS=3] [REPS=3] [COPIES=300] [MODE_SECONDS=3] [JFR=FILE] [MEDVEIL_HOME=DIR] bench/deid-vs-gdcmanon.sh [INPUT_DIR]
#   REPS          runs of each command within a round (interleaved); the round keeps the median
#   MODE_SECONDS  measuring time of each in-JVM mode (after as long a warm-up); its median pass counts
#   JFR           record a JFR profile of the in-JVM loop into FILE (last round)
#   MEDVEIL_HOME  another checkout whose ./medveil and cli/target/medveil.jar to measure (default:
#                 this one), e.g. an older commit for before/after figures from this same script
# Needs: java 17, openssl, gdcmanon (libgdcm-tools), /usr/bin/python3 with pydicom and numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-3}
COPIES=${COPIES:-300}
MODE_SECONDS=${MODE_SECONDS:-3}
export REPS=${REPS:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

command -v gdcmanon >/dev/null || { echo "gdcmanon missing: apt-get install -y libgdcm-tools" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl missing" >&2; exit 2; }

if [ $# -ge 1 ]; then
  IN=$1
  [ -d "$IN" ] || { echo "no such folder: $IN" >&2; exit 2; }
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

head -c 32 /dev/urandom > "$WORK/project.key"
head -c 32 /dev/urandom > "$WORK/escrow.key"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=medveil-bench" \
  -keyout "$WORK/escrow-rsa.pem" -out "$WORK/escrow-cert.pem" 2>/dev/null

HOME_DIR=$(cd "${MEDVEIL_HOME:-$ROOT}" && pwd)
JAR=$HOME_DIR/cli/target/medveil.jar
medveil_deid() { # PROFILE OUT: the whole command as an operator runs it
  "$HOME_DIR/medveil" deid --no-progress --threads 1 --profile "config/deid/$1.yaml" --key "$WORK/project.key" \
    --escrow-key "$WORK/escrow.key" "$IN" "$2"
}
gdcm_anon() { # OUT
  mkdir -p "$1"
  gdcmanon -e --continue -r -c "$WORK/escrow-cert.pem" -i "$IN" -o "$1" > "$WORK/gdcm.log" 2>&1
}
clean_out() { rm -rf "$WORK/out" "$WORK/out-quarantine"; }
# Untimed first calls: the launcher builds the jar when it is stale (and anything it prepares on
# first use), and the input files and both programs get into the page cache.
clean_out; medveil_deid basic "$WORK/out" > /dev/null
clean_out; gdcm_anon "$WORK/out"
clean_out

printf 'input: %d files, %.1f MB (%s)\n' "$FILES" "$(echo "$BYTES / 1000000" | bc -l)" "$IN"
printf 'machine: %s processors, %s; medveil from %s (%s)\n' "$(nproc)" "$(java -version 2>&1 | head -1)" \
  "$HOME_DIR" "$(git -C "$HOME_DIR" log -1 --format=%h 2>/dev/null || echo unknown)"
RESULTS=$WORK/results.txt
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
timed() { # ARRAY COMMAND...: appends "wall cpu" seconds of the command (cpu: user + system of all
  # its processes and threads) to ARRAY; checks and removes its outputs
  local -n times=$1
  local n TIMEFORMAT='%R %U %S'
  { time "${@:2}" 2>&3; } 3>&2 2> "$WORK/time.txt"
  n=$(find "$WORK/out" -type f | wc -l)
  clean_out
  if [ "$n" -ne "$FILES" ]; then
    echo "${*:2}: $n outputs for $FILES inputs" >&2
    exit 1
  fi
  times+=("$(awk '{print $1, $2 + $3}' "$WORK/time.txt")")
}
wall() { for x in "$@"; do echo "${x% *}"; done; } # of "wall cpu" pairs
cpu() { for x in "$@"; do echo "${x#* }"; done; }
deid_logged() { medveil_deid "$1" "$WORK/out" > "$WORK/$1.log"; }
for run in $(seq 1 "$RUNS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # each command REPS times, interleaved; the round keeps each one's median
  G=(); B=(); E=(); O=()
  for rep in $(seq 1 "$REPS"); do
    timed G gdcm_anon "$WORK/out"
    timed B deid_logged basic
    O+=("$(sed -n 's/.*(\([0-9.]*\) files\/s.*/\1/p' "$WORK/basic.log")")
    timed E deid_logged basic-escrow
  done
  g=$(median $(wall "${G[@]}")); mb=$(median $(wall "${B[@]}")); me=$(median $(wall "${E[@]}"))
  gc=$(median $(cpu "${G[@]}")); bcpu=$(median $(cpu "${B[@]}")); own=$(median "${O[@]}")
  JFR_OPT=()
  if [ -n "${JFR:-}" ] && [ "$run" -eq "$RUNS" ]; then
    JFR_OPT=("-XX:StartFlightRecording=filename=$JFR,settings=profile")
  fi
  mkdir -p "$WORK/loop"
  java "${JFR_OPT[@]}" -cp "$JAR" bench/DeidPhases.java "$IN" "$WORK/loop" "$MODE_SECONDS" > "$WORK/phases.txt" 2>/dev/null
  rm -rf "$WORK/loop"
  awk -v run="$run" -v load="$load" -v files="$FILES" -v g="$g" -v mb="$mb" -v me="$me" -v own="$own" \
      -v gc="$gc" -v bcpu="$bcpu" '
    { p[$1] = ($2 == "nan" ? -1 : $2) } # -1: the measured version has no such mode
    function rate(name, v) {
      if (v < 0) printf "  %-15s     n/a (not in this version)\n", name
      else printf "  %-15s %7.1f files/s            ratio %.2f\n", name, v, v / gd
    }
    END {
      gd = files / g; cb = files / mb; ce = files / me
      printf "run %d  load average %s  (whole commands: median of %d each)\n", run, load, ENVIRON["REPS"]
      printf "  gdcmanon        %7.1f files/s  (%.2f s)\n", gd, g
      printf "  cli-basic       %7.1f files/s  (%.2f s)  ratio %.2f   own count %s files/s\n", cb, mb, cb / gd, own
      printf "  cli-escrow      %7.1f files/s  (%.2f s)  ratio %.2f\n", ce, me, ce / gd
      printf "  steady-basic    %7.1f files/s            ratio %.2f\n", p["steady-basic"], p["steady-basic"] / gd
      printf "  steady-escrow   %7.1f files/s            ratio %.2f\n", p["steady-escrow"], p["steady-escrow"] / gd
      rate("streamed-basic", p["streamed-basic"])
      rate("streamed-escrow", p["streamed-escrow"])
      printf "  engine in memory, us/file: read %.1f  basic %.1f  basic+escrow %.1f  write %.1f\n",
          p["phase-read"], p["phase-basic"], p["phase-escrow"], p["phase-write"]
      printf "  cpu (user+system) us/file: gdcmanon %.0f  cli-basic %.0f (all threads, start-up included)  steady-basic %.0f  streamed-basic %s\n",
          gc / files * 1e6, bcpu / files * 1e6, p["steady-basic-cpu"], p["streamed-basic"] < 0 ? "n/a" : sprintf("%.0f", p["streamed-basic-cpu"])
      # machine-readable line for the medians
      printf "R %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f %f\n", gd, cb, ce, own, p["steady-basic"],
          p["steady-escrow"], p["phase-read"], p["phase-basic"], p["phase-escrow"], p["phase-write"],
          cb / gd, ce / gd, p["steady-basic"] / gd, p["steady-escrow"] / gd,
          p["streamed-basic"], p["streamed-escrow"], p["streamed-basic"] < 0 ? -1 : p["streamed-basic"] / gd,
          p["streamed-escrow"] < 0 ? -1 : p["streamed-escrow"] / gd,
          gc / files * 1e6, bcpu / files * 1e6, p["steady-basic-cpu"], p["streamed-basic"] < 0 ? -1 : p["streamed-basic-cpu"] > "/dev/stderr"
    }' "$WORK/phases.txt" 2>> "$RESULTS"
done

awk '
  function median(col,   n, i, j, t, v) {
    n = 0
    for (i = 1; i <= NR; i++) v[++n] = row[i, col]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { for (c = 2; c <= 23; c++) row[NR, c] = $c }
  END {
    printf "median of %d runs (ratios: median of each run'"'"'s ratio)\n", NR
    printf "  gdcmanon        %7.1f files/s\n", median(2)
    printf "  cli-basic       %7.1f files/s  ratio %.2f   own count %.1f files/s\n", median(3), median(12), median(5)
    printf "  cli-escrow      %7.1f files/s  ratio %.2f\n", median(4), median(13)
    printf "  steady-basic    %7.1f files/s  ratio %.2f\n", median(6), median(14)
    printf "  steady-escrow   %7.1f files/s  ratio %.2f\n", median(7), median(15)
    if (median(16) < 0) print "  streamed-*          n/a (not in this version)"
    else {
      printf "  streamed-basic  %7.1f files/s  ratio %.2f\n", median(16), median(18)
      printf "  streamed-escrow %7.1f files/s  ratio %.2f\n", median(17), median(19)
    }
    printf "  engine in memory, us/file: read %.1f  basic %.1f  basic+escrow %.1f  write %.1f\n",
        median(8), median(9), median(10), median(11)
    printf "  cpu (user+system) us/file: gdcmanon %.0f  cli-basic %.0f  steady-basic %.0f  streamed-basic %s\n",
        median(20), median(21), median(22), median(23) < 0 ? "n/a" : sprintf("%.0f", median(23))
  }' "$RESULTS"
