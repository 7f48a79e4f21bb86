#!/usr/bin/env bash
# Training throughput (images/s) of the same CNN in three engines, on this machine, with the same
# thread count, in one run: DL4J (models' TrainThroughput), libtorch called from Java (the torch
# engine, models-torch's TorchThroughput) and Python PyTorch (bench/models_cnn_torch.py, when
# python3-torch is installed). Two shapes by default: 64x64 with 8 filters (the zoo default) and
# 128x128 with 32 filters (the larger shape of issue 14). Prints the ratios torch-java/python and
# torch-java/dl4j per shape and, with RUNS > 1, the medians over the runs.
# Needs: the packaged CLI jar with the torch engine (./mvnw -B -pl cli -am package
# -Dmaven.test.skip=true, not -Dno-torch). Usage: bench/models-dl4j-vs-torch.sh
# Env: SHAPES ("64:8 128:32", INPUT:FILTERS) BATCH (32) WARMUP (10) STEPS (50) THREADS (nproc)
#      RUNS (1) MEDVEIL_JAR PYTHON
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPES=${SHAPES:-64:8 128:32}; BATCH=${BATCH:-32}; WARMUP=${WARMUP:-10}; STEPS=${STEPS:-50}
THREADS=${THREADS:-$(nproc)}; RUNS=${RUNS:-1}
JAR=${MEDVEIL_JAR:-cli/target/medveil.jar}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -B -pl cli -am package -Dmaven.test.skip=true" >&2; exit 1; }
HAVE_PY=1
"$PYTHON" -c 'import torch' 2>/dev/null || { HAVE_PY=0; echo "note: PyTorch missing for $PYTHON (apt-get install python3-torch); no Python column" >&2; }

# Private copy: a concurrent 'mvnw package' must not swap the jar under a running benchmark.
TMPJAR=$(mktemp --suffix=.jar); RESULTS=$(mktemp); trap 'rm -f "$TMPJAR" "$RESULTS"' EXIT; cp "$JAR" "$TMPJAR"
ips() { sed -n 's/.*images\/s: //p' | tail -1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads $THREADS, batch $BATCH, $WARMUP warm-up + $STEPS timed steps"
for run in $(seq 1 "$RUNS"); do
  for shape in $SHAPES; do
    input=${shape%%:*}; filters=${shape##*:}
    echo "run $run, ${input}x${input}, $filters filters, load $(cut -d' ' -f1-3 /proc/loadavg)"
    # OMP_NUM_THREADS bounds libnd4j/OpenBLAS and the torch engine; torch.set_num_threads bounds PyTorch.
    dl4j=$(OMP_NUM_THREADS=$THREADS java -cp "$TMPJAR" org.medveil.models.bench.TrainThroughput \
            "$input" "$BATCH" "$WARMUP" "$STEPS" "$filters" 2>/dev/null | grep 'images/s')
    tj=$(OMP_NUM_THREADS=$THREADS java -cp "$TMPJAR" org.medveil.models.torch.bench.TorchThroughput \
            "$input" "$BATCH" "$WARMUP" "$STEPS" "$filters" 2>/dev/null | grep 'images/s')
    echo "  $dl4j"; echo "  $tj"
    d=$(ips <<<"$dl4j"); t=$(ips <<<"$tj"); p=NA
    if [ "$HAVE_PY" = 1 ]; then
      py=$(OMP_NUM_THREADS=$THREADS "$PYTHON" bench/models_cnn_torch.py "$input" "$BATCH" "$WARMUP" "$STEPS" "$filters" "$THREADS")
      echo "  $py"; p=$(ips <<<"$py")
    fi
    awk -v d="$d" -v t="$t" -v p="$p" 'BEGIN {
      printf "  ratios: torch-java/dl4j %.2f", t / d
      if (p != "NA") printf ", torch-java/python %.2f, dl4j/python %.2f", t / p, d / p
      printf "\n" }'
    echo "$input:$filters $d $t $p" >>"$RESULTS"
  done
done
if [ "$RUNS" -gt 1 ]; then
  echo "medians over $RUNS runs (images/s; a ratio's median is the median of the runs' ratios):"
  for shape in $SHAPES; do
    grep "^$shape " "$RESULTS" | awk -v shape="$shape" '
      function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                         return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      { n++; d[n] = $2; t[n] = $3; p[n] = $4; td[n] = $3 / $2; if ($4 != "NA") { tp[n] = $3 / $4; dp[n] = $2 / $4 } }
      END { split(shape, s, ":")
            printf "  %sx%s, %s filters: dl4j %.0f, torch-java %.0f", s[1], s[1], s[2], median(d, n), median(t, n)
            if (p[1] != "NA") printf ", python %.0f; torch-java/python %.2f, torch-java/dl4j %.2f, dl4j/python %.2f\n", median(p, n), median(tp, n), median(td, n), median(dp, n)
            else printf "; torch-java/dl4j %.2f\n", median(td, n) }'
  done
fi
