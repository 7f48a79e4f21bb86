#!/usr/bin/env bash
# Training throughput (images/s) of the same CNN in DL4J (MedVeil's models module) and in
# PyTorch (Debian python3-torch), on this machine, with the same thread count; prints the ratio.
# Needs: the packaged CLI jar (./mvnw -pl cli -am package -Dmaven.test.skip=true) and
# python3-torch (apt-get install python3-torch). Usage: bench/models-dl4j-vs-torch.sh
# Env: INPUT (64) BATCH (32) WARMUP (10) STEPS (50) FILTERS (8) THREADS (nproc) MEDVEIL_JAR PYTHON
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT=${INPUT:-64}; BATCH=${BATCH:-32}; WARMUP=${WARMUP:-10}; STEPS=${STEPS:-50}; FILTERS=${FILTERS:-8}
THREADS=${THREADS:-$(nproc)}
JAR=${MEDVEIL_JAR:-cli/target/medveil.jar}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -B -pl cli -am package -Dmaven.test.skip=true" >&2; exit 1; }
"$PYTHON" -c 'import torch' 2>/dev/null || { echo "PyTorch missing for $PYTHON: apt-get install python3-torch" >&2; exit 1; }

# Private copy: a concurrent 'mvnw package' must not swap the jar under a running benchmark.
TMPJAR=$(mktemp --suffix=.jar); trap 'rm -f "$TMPJAR"' EXIT; cp "$JAR" "$TMPJAR"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
# OMP_NUM_THREADS bounds libnd4j/OpenBLAS; torch.set_num_threads does the same for PyTorch.
dl4j=$(OMP_NUM_THREADS=$THREADS java -cp "$TMPJAR" org.medveil.models.bench.TrainThroughput \
        "$INPUT" "$BATCH" "$WARMUP" "$STEPS" "$FILTERS" 2>/dev/null | grep 'images/s')
torch=$(OMP_NUM_THREADS=$THREADS "$PYTHON" bench/models_cnn_torch.py "$INPUT" "$BATCH" "$WARMUP" "$STEPS" "$FILTERS" "$THREADS")
echo "$dl4j"
echo "$torch"
d=$(sed 's/.*images\/s: //' <<<"$dl4j"); t=$(sed 's/.*images\/s: //' <<<"$torch")
awk -v d="$d" -v t="$t" 'BEGIN { printf "ratio dl4j/torch: %.2f (torch is %.2fx dl4j)\n", d / t, t / d }'
