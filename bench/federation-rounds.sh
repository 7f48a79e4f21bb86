#!/usr/bin/env bash
# Round wall time of the demo federation with HE on and off, in the same run: the same sites,
# data, seed and model; the median over the rounds of each run, local training included, and
# the ratio. Needs the packaged CLI jar (./mvnw -B -pl cli -am package -Dmaven.test.skip=true).
# Env: SITES (3) PATIENTS (120) ROUNDS (6) SEED (1) MEDVEIL_JAR WORK (temp folder)
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=${SITES:-3}; PATIENTS=${PATIENTS:-120}; ROUNDS=${ROUNDS:-6}; SEED=${SEED:-1}
JAR=${MEDVEIL_JAR:-cli/target/medveil.jar}
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -B -pl cli -am package -Dmaven.test.skip=true" >&2; exit 1; }
if [ -z "${WORK:-}" ]; then WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; fi
cp "$JAR" "$WORK/medveil.jar"   # a concurrent build must not swap the jar under the benchmark
median() { java -jar "$WORK/medveil.jar" demo --sites "$SITES" --patients "$PATIENTS" --rounds "$ROUNDS" --epochs 1 \
    --seed "$SEED" --no-progress --work "$WORK/$1" "${@:2}" 2>>"$WORK/demo.log" \
    | sed -n 's/^round wall time: median \([0-9.]*\) s.*/\1/p'; }
he=$(median he)
plain=$(median plain --no-he)
echo "demo federation: $SITES sites x $PATIENTS patients, cnn:input=32, $ROUNDS rounds of 1 local epoch"
printf '%-12s %10s\n' setting "round (s)"
printf '%-12s %10s\n' plaintext "$plain" "HE n8192" "$he"
awk -v h="$he" -v p="$plain" 'BEGIN { printf "HE / plaintext: %.2fx\n", h / p }'
