#!/usr/bin/env bash
# Parse throughput (MB/s) of the MedVeil DICOM reader on the pydicom corpus, against dcmtk's dcmdump
# on the same files. Usage: bench/dicom-parse.sh [CORPUS_DIR] [SECONDS]
# Needs: Java 17, dcmtk (dcmdump), python3-pydicom (the corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="${1:-/usr/lib/python3/dist-packages/pydicom/data/test_files}"
SECONDS_PER_MODE="${2:-6}"
command -v dcmdump >/dev/null || { echo "dcmdump not found: apt-get install -y dcmtk" >&2; exit 1; }
[ -d "$CORPUS" ] || { echo "corpus $CORPUS not found: apt-get install -y python3-pydicom" >&2; exit 1; }

./mvnw -B -q -pl dicom compile
CP="dicom/target/classes:$(./mvnw -B -q -pl dicom dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=runtime)"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Same file set for both tools: what our reader accepts (dcmdump fails on the files we refuse too).
java -cp "$CP" bench/DicomParseBench.java "$CORPUS" "$SECONDS_PER_MODE" | tee "$WORK/ours.txt"

mapfile -t FILES < <(find "$CORPUS" -type f ! -name '*.txt' ! -name '*.json' ! -name '*.dump' ! -name '*.gz' ! -name README | sort)
OK=()
for f in "${FILES[@]}"; do dcmdump -q "$f" >/dev/null 2>&1 && OK+=("$f"); done
BYTES=$(cat "${OK[@]}" | wc -c)
REPEAT=20
ARGS=()
for _ in $(seq $REPEAT); do ARGS+=("${OK[@]}"); done
# dcmdump parses and prints; -q keeps warnings out, output goes to /dev/null. One process for all
# repetitions so process start-up is amortised.
START=$(date +%s.%N)
dcmdump -q "${ARGS[@]}" >/dev/null 2>&1 || true
END=$(date +%s.%N)
python3 - "$BYTES" "$REPEAT" "$START" "$END" "${#OK[@]}" <<'PY'
import sys
b, r, s, e, n = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print("dcmdump %d files, %.2f MB x %d: parse+print %8.1f MB/s" % (n, b / 1e6, r, b * r / 1e6 / (e - s)))
PY
