#!/usr/bin/env bash
# Why federation pays, on the synthetic multi-site CT task: accuracy and ROC AUC on one held-out
# test set drawn from all sites, for a model trained (a) at each site alone, (b) on the pooled
# data of all sites (centralized, the upper bound), and (c) federated across the sites.
# Needs the packaged CLI jar (./mvnw -B -pl cli -am package -Dmaven.test.skip=true).
# Env: SITES (3) PATIENTS (200 per site, training) TEST_PATIENTS (100 per site) EPOCHS (10)
#      MODEL (cnn:input=32) SEED (1) MEDVEIL_JAR WORK (temp folder)
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=${SITES:-3}; PATIENTS=${PATIENTS:-200}; TEST_PATIENTS=${TEST_PATIENTS:-100}
EPOCHS=${EPOCHS:-10}; MODEL=${MODEL:-cnn:input=32}; SEED=${SEED:-1}
JAR=${MEDVEIL_JAR:-cli/target/medveil.jar}
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -B -pl cli -am package -Dmaven.test.skip=true" >&2; exit 1; }
if [ -z "${WORK:-}" ]; then WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; fi
# Private copy: a concurrent 'mvnw package' must not swap the jar under a running benchmark.
cp "$JAR" "$WORK/medveil.jar"
LOG="$WORK/medveil.log"
medveil() { java -jar "$WORK/medveil.jar" "$@" 2>>"$LOG" || { echo "medveil $1 failed; see $LOG" >&2; tail -3 "$LOG" >&2; exit 1; }; }

# Training and test data come from the same site profiles but different seeds: disjoint patients.
medveil synth --sites "$SITES" --patients "$PATIENTS" --seed "$SEED" --out "$WORK/train" >/dev/null
medveil synth --sites "$SITES" --patients "$TEST_PATIENTS" --seed $((SEED + 1000)) --out "$WORK/test" >/dev/null
tests=(); trains=()
for i in $(seq 1 "$SITES"); do tests+=("$WORK/test/site-$i"); trains+=("$WORK/train/site-$i"); done

echo "synthetic CT, $SITES sites x $PATIENTS training patients, test set: $SITES x $TEST_PATIENTS patients from all sites"
echo "model $MODEL, $EPOCHS epochs, seed $SEED"
printf '%-22s %9s %7s  %s\n' setting accuracy auc "per-site test AUC"
run() {
    local name=$1; shift
    local out
    out=$(medveil train --data "$@" --test "${tests[@]}" --model "$MODEL" --epochs "$EPOCHS" --seed "$SEED")
    local acc auc per
    acc=$(grep '^test ' <<<"$out" | sed 's/.*accuracy=\([0-9.]*\).*/\1/')
    auc=$(grep '^test ' <<<"$out" | sed 's/.*auc=\([0-9.NaN]*\).*/\1/')
    per=$(grep '^test\[' <<<"$out" | sed 's/^test\[\([^]]*\)\].*auc=\([0-9.NaN]*\).*/\1=\2/' | tr '\n' ' ')
    printf '%-22s %9s %7s  %s\n' "$name" "$acc" "$auc" "$per"
}
for i in $(seq 1 "$SITES"); do run "local-only site-$i" "$WORK/train/site-$i"; done
run "pooled (centralized)" "${trains[@]}"
# (c) the demo's federation: same sites, patients, seed and model; EPOCHS rounds of 1 local epoch,
# HE on; its test set is the same one (seed + 1000, PATIENTS/2 per site) when TEST_PATIENTS = PATIENTS/2.
if [ "$MODEL" = "cnn:input=32" ] && [ "$TEST_PATIENTS" -eq $((PATIENTS / 2)) ]; then
    fed=$(medveil demo --sites "$SITES" --patients "$PATIENTS" --rounds "$EPOCHS" --epochs 1 --seed "$SEED" \
        --no-progress --work "$WORK/demo" | grep '^federated')
    printf '%-22s %9s %7s  %s\n' "federated (HE)" "$(awk '{print $3}' <<<"$fed")" "$(awk '{print $4}' <<<"$fed")" \
        "medveil demo, $EPOCHS rounds x 1 epoch"
else
    printf '%-22s %9s %7s  %s\n' "federated" "-" "-" "the demo uses cnn:input=32 and PATIENTS/2 test patients per site; set MODEL and TEST_PATIENTS so"
fi
