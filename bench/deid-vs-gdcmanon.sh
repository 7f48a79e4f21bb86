#!/usr/bin/env bash
# De-identifies the same folder with `medveil deid` and with GDCM's `gdcmanon` and prints both
# throughputs (files/s, MB/s of input) and the ratio.
#
# Both run the PS3.15 Basic Profile with reversible escrow (gdcmanon -e needs a certificate and
# always encrypts the originals; medveil uses config/deid/basic-escrow.yaml), both single-threaded
# (THREADS=N gives medveil N threads), process start-up included: what an operator sees.
#
# Usage: [COPIES=N] [THREADS=N] bench/deid-vs-gdcmanon.sh [INPUT_DIR]
#   INPUT_DIR  folder of DICOM files (default: 8 pydicom CT/MR/RT/SR/RLE test files, COPIES times each,
#              each copy given its own SOP Instance UID)
#   COPIES     copies of the default sample set (default 60: 480 files)
# Needs: java 17, openssl, bc, gdcmanon (apt-get install -y libgdcm-tools), and for the default set
# python3-pydicom and dcmodify (dcmtk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COPIES=${COPIES:-60}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

command -v gdcmanon >/dev/null || { echo "gdcmanon missing: apt-get install -y libgdcm-tools" >&2; exit 2; }
JAR=$ROOT/cli/target/medveil.jar
if [ ! -f "$JAR" ]; then
  echo "building $JAR ..." >&2
  ./mvnw -B -q -pl cli -am package -Dmaven.test.skip=true >&2
fi

if [ $# -ge 1 ]; then
  IN=$1
  [ -d "$IN" ] || { echo "no such folder: $IN" >&2; exit 2; }
else
  IN=$WORK/in
  mkdir -p "$IN"
  DATA=/usr/lib/python3/dist-packages/pydicom/data/test_files
  for i in $(seq 1 "$COPIES"); do
    for f in CT_small.dcm MR_small.dcm rtplan.dcm rtdose.dcm rtstruct.dcm test-SR.dcm liver_1frame.dcm SC_rgb_rle.dcm; do
      cp "$DATA/$f" "$IN/$i-$f"
    done
  done
  # distinct instances: medveil names outputs by their new SOP Instance UID, so copies would collapse
  find "$IN" -type f -print0 | xargs -0 dcmodify -nb -q -gin
fi
FILES=$(find "$IN" -type f | wc -l)
BYTES=$(find "$IN" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')

head -c 32 /dev/urandom > "$WORK/project.key"
head -c 32 /dev/urandom > "$WORK/escrow.key"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=medveil-bench" \
  -keyout "$WORK/escrow-rsa.pem" -out "$WORK/escrow-cert.pem" 2>/dev/null

now() { date +%s.%N; }

t0=$(now)
java -jar "$JAR" deid --no-progress --threads "${THREADS:-1}" --profile config/deid/basic-escrow.yaml --key "$WORK/project.key" \
  --escrow-key "$WORK/escrow.key" "$IN" "$WORK/out-medveil" > "$WORK/medveil.log"
echo "medveil in-process: $(sed -n 2p "$WORK/medveil.log")"
t1=$(now)
mkdir -p "$WORK/out-gdcm"
gdcmanon -e --continue -r -c "$WORK/escrow-cert.pem" -i "$IN" -o "$WORK/out-gdcm" > "$WORK/gdcm.log" 2>&1 || true
t2=$(now)

M_OUT=$(find "$WORK/out-medveil" -type f | wc -l)
G_OUT=$(find "$WORK/out-gdcm" -type f | wc -l)
awk -v files="$FILES" -v bytes="$BYTES" -v m="$(echo "$t1 - $t0" | bc)" -v g="$(echo "$t2 - $t1" | bc)" \
    -v mo="$M_OUT" -v go="$G_OUT" 'BEGIN {
  mb = bytes / 1e6
  printf "input: %d files, %.1f MB\n", files, mb
  printf "medveil deid (%s thread(s)): ", ENVIRON["THREADS"] == "" ? 1 : ENVIRON["THREADS"]; printf "%6.2f s  %7.1f files/s  %6.2f MB/s  (%d outputs)\n", m, files / m, mb / m, mo
  printf "gdcmanon     : %6.2f s  %7.1f files/s  %6.2f MB/s  (%d outputs)\n", g, files / g, mb / g, go
  printf "ratio medveil/gdcmanon (throughput): %.2f\n", g / m
}'
# Where the time goes: the engine alone, in memory, steady state (no process start, no disk).
java -cp "$JAR" bench/DeidPhases.java 3
