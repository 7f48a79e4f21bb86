#!/usr/bin/env bash
# Times `medveil deid --threads 1` (Basic Profile) on COPIES copies of a 384 KB MR image, each
# with its own SOP Instance UID: the per-file cost of reading, writing and naming outputs shows
# here. The image is MR_small.dcm (pydicom) with a 512x384 16-bit pixel matrix; dcmodify -gin
# gives every copy a new SOP Instance UID.
#
# Usage: [COPIES=300] [RUNS=3] [JAR=cli/target/medveil.jar] bench/deid-mr-copies.sh
# Prints, per run: wall-clock files/s (JVM start-up included) and the command's own summary line,
# then the load average. Needs java 17, /usr/bin/python3 with pydicom and numpy, dcmodify (dcmtk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COPIES=${COPIES:-300}
RUNS=${RUNS:-3}
JAR=${JAR:-$ROOT/cli/target/medveil.jar}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ -f "$JAR" ] || { echo "no $JAR: build it with ./mvnw -q -B -Dmaven.test.skip=true -pl cli -am package" >&2; exit 2; }

/usr/bin/python3 - "$WORK/mr384.dcm" <<'EOF'
import sys, numpy as np, pydicom
d = pydicom.dcmread('/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm')
y, x = np.mgrid[0:384, 0:512]
d.Rows, d.Columns = 384, 512
d.BitsAllocated, d.BitsStored, d.HighBit, d.PixelRepresentation = 16, 16, 15, 0
d.PixelData = ((np.sin(x / 23.0) + np.cos(y / 17.0) + 2) * 900 + (x * y) % 97).astype(np.uint16).tobytes()
d.save_as(sys.argv[1], write_like_original=False)
EOF
mkdir -p "$WORK/in"
for i in $(seq 1 "$COPIES"); do cp "$WORK/mr384.dcm" "$WORK/in/$i.dcm"; done
find "$WORK/in" -type f -print0 | xargs -0 dcmodify -nb -q -gin
head -c 32 /dev/urandom > "$WORK/project.key"
echo "input: $COPIES files of $(stat -c %s "$WORK/mr384.dcm") bytes"
for r in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/out" "$WORK/out-quarantine"
  t0=$(date +%s.%N)
  java -jar "$JAR" deid --no-progress --threads 1 --profile config/deid/basic.yaml --key "$WORK/project.key" \
    "$WORK/in" "$WORK/out" > "$WORK/log"
  t1=$(date +%s.%N)
  awk -v run="$r" -v n="$COPIES" -v s="$(echo "$t1 - $t0" | bc)" 'BEGIN { printf "run %s: %.2f s wall, %.1f files/s with JVM start | ", run, s, n / s }'
  sed -n 2p "$WORK/log"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
