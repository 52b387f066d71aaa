#!/usr/bin/env bash
# The replicated store's put throughput matrix in one command, printed as one markdown report on standard output:
#   puts: IPC and UDP x NONE, ONE, QUORUM, ALL x 1 and 4 client threads (puts/s, p50, p99, p99.9, convergence),
#   gets: one run per transport with half gets, half QUORUM puts (the get row),
#   one put in flight at ONE per transport (latency like for like with Hazelcast's synchronous put),
#   Hazelcast ReplicatedMap single-thread puts from `perf-harness compare --targets hazelcast`, and the ratios to it.
# Every figure comes from ./perf-harness (built on first use). The 1-minute load average is taken before each run.
#
# Like for like with the reference: every run, ours and Hazelcast's, warms up for the same time (WARMUP, 3 s, what
# `perf-harness compare` gives each of its targets), so each JVM's JIT has compiled the put path before anything is
# measured. Then Hazelcast is measured for HAZELCAST_DURATION (10 s, compare's default), and each of our runs for the
# spec's workload: OPS puts over KEYS keys with VALUE_SIZE-byte values. The report's header says what each side got.
#
# Usage: scripts/store-throughput-matrix.sh [> results/DATE-store-matrix-table.md]
# Settings (environment, defaults in brackets): OPS [200000] puts measured per run, WARMUP [3s] warm-up time of every
# run (ours and Hazelcast's), WARMUP_OPS [none] a count of warm-up operations for our runs instead (then theirs no
# longer match Hazelcast's), HAZELCAST_DURATION [10s], KEYS [100000], VALUE_SIZE [128], IN_FLIGHT [16] per client
# thread, TRANSPORTS [ipc udp], LEVELS [none one quorum all], THREADS [1 4], CONVERGE_TIMEOUT [20s], HAZELCAST [yes],
# SINGLE_OPS [OPS] puts measured by the one-in-flight runs, RAW_DIR [a new temporary directory]: where each run's
# full report is kept.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
harness="$root/perf-harness"

ops="${OPS:-200000}"
warmup="${WARMUP:-3s}"
warmup_ops="${WARMUP_OPS:-}"
hazelcast_duration="${HAZELCAST_DURATION:-10s}"
keys="${KEYS:-100000}"
value_size="${VALUE_SIZE:-128}"
in_flight="${IN_FLIGHT:-16}"
transports="${TRANSPORTS:-ipc udp}"
levels="${LEVELS:-none one quorum all}"
thread_counts="${THREADS:-1 4}"
converge_timeout="${CONVERGE_TIMEOUT:-20s}"
hazelcast="${HAZELCAST:-yes}"
single_ops="${SINGLE_OPS:-$ops}"
raw_dir="${RAW_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/store-throughput.XXXXXX")}"
mkdir -p "$raw_dir"

# Our runs' warm-up: the same time as Hazelcast's unless a count is asked for.
if [[ -n "$warmup_ops" ]]
then
    warmup_args=(--warmup-ops "$warmup_ops")
    warmup_text="$warmup_ops warm-up operations"
else
    warmup_args=(--warmup "$warmup")
    warmup_text="$warmup of warm-up"
fi

load_average()
{
    cut -d ' ' -f 1 /proc/loadavg
}

# The cells of a report table's row for an operation: ok, ops/s, p50, p90, p99, p99.9, max (comma separators kept).
row_of()
{
    local operation="$1" file="$2"
    awk -F '|' -v op="$operation" '$2 ~ "^ *" op " *$" { gsub(/ /, "", $0); print $4 "|" $5 "|" $6 "|" $7 "|" $8 "|" $9 "|" $10; exit }' "$file"
}

# Milliseconds from the run's convergence line, "NO" when it did not converge.
convergence_of()
{
    local file="$1"
    if grep -q '^replicas converged: yes' "$file"
    then
        sed -n 's/^replicas converged: yes, every replica held every last write \([0-9,]*\) ms.*/\1/p' "$file" | tr -d ','
    else
        echo "NO"
    fi
}

number()
{
    tr -d ',' <<<"$1"
}

ratio()
{
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2fx", a / b }'
}

# Hazelcast's convergence over ours; ours rounds to whole milliseconds, so 0 counts as 1 and reads "at least".
convergence_ratio()
{
    local reference="$1" ours="$2"
    if [[ "$ours" == "NO" ]]
    then
        echo "-"
    elif [[ "$ours" == "0" ]]
    then
        echo ">=$(ratio "$reference" 1)"
    else
        ratio "$reference" "$ours"
    fi
}

run_harness()
{
    local file="$1"
    shift
    if ! "$harness" "$@" >"$file" 2>"$file.err"
    then
        echo "store-throughput-matrix: ./perf-harness $* failed; its output is in $file and $file.err" >&2
    fi
}

started_epoch="$(date +%s)"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Hazelcast first: its figures are the reference of every ratio.
hz_ops="-" hz_p50="-" hz_p99="-" hz_p999="-" hz_converged="-" hz_load="-"
if [[ "$hazelcast" == "yes" ]]
then
    hz_load="$(load_average)"
    hz_file="$raw_dir/compare-hazelcast.md"
    run_harness "$hz_file" compare --targets hazelcast --keys "$keys" --value-size "$value_size" --threads 1 \
        --in-flight 1 --warmup "$warmup" --duration "$hazelcast_duration" --out "$raw_dir/compare-hazelcast"
    hz_row="$(awk -F '|' '$2 ~ /hazelcast-replicatedmap/ { gsub(/ /, "", $0); print $5 "|" $6 "|" $7 "|" $8 "|" $9; exit }' "$hz_file")"
    if [[ -n "$hz_row" ]]
    then
        IFS='|' read -r hz_ops hz_p50 hz_p99 hz_p999 hz_converged <<<"$hz_row"
        hz_ops="$(number "$hz_ops")" hz_p50="$(number "$hz_p50")" hz_p99="$(number "$hz_p99")"
        hz_p999="$(number "$hz_p999")" hz_converged="$(number "${hz_converged%ms}")"
    fi
fi

put_rows=()
for transport in $transports
do
    for threads in $thread_counts
    do
        for level in $levels
        do
            file="$raw_dir/put-$transport-$level-$threads.md"
            load="$(load_average)"
            run_harness "$file" run --transport "$transport" --threads "$threads" --in-flight "$in_flight" \
                --consistency "$level" --mix put=1 --ops "$ops" "${warmup_args[@]}" --keys "$keys" \
                --value-size "$value_size" --converge-timeout "$converge_timeout"
            row="$(row_of put "$file")"
            if [[ -z "$row" ]]
            then
                put_rows+=("| $transport | $threads | $level | failed (see $file) | | | | | | | | | $load |")
                continue
            fi
            IFS='|' read -r ok rate p50 p90 p99 p999 max <<<"$row"
            converged="$(convergence_of "$file")"
            put_rows+=("| $transport | $threads | $level | $ok | $rate | $(ratio "$(number "$rate")" "$hz_ops") | $p50 | $p99 | $p999 | $(ratio "$hz_p99" "$(number "$p99")") | $converged | $(convergence_ratio "$hz_converged" "$converged") | $load |")
        done
    done
done

# Like for like with Hazelcast's latency: one put in flight at ONE (Hazelcast's put waits for the key's owner only).
single_rows=()
for transport in $transports
do
    file="$raw_dir/single-$transport-one.md"
    load="$(load_average)"
    run_harness "$file" run --transport "$transport" --threads 1 --in-flight 1 --consistency one --mix put=1 \
        --ops "$single_ops" "${warmup_args[@]}" --keys "$keys" --value-size "$value_size" \
        --converge-timeout "$converge_timeout"
    row="$(row_of put "$file")"
    if [[ -n "$row" ]]
    then
        IFS='|' read -r ok rate p50 p90 p99 p999 max <<<"$row"
        single_rows+=("| $transport | $ok | $rate | $(ratio "$(number "$rate")" "$hz_ops") | $p50 | $(ratio "$hz_p50" "$(number "$p50")") | $p99 | $(ratio "$hz_p99" "$(number "$p99")") | $p999 | $(ratio "$hz_p999" "$(number "$p999")") | $load |")
    fi
done

get_rows=()
for transport in $transports
do
    file="$raw_dir/get-$transport.md"
    load="$(load_average)"
    run_harness "$file" run --transport "$transport" --threads 1 --in-flight "$in_flight" --consistency quorum \
        --mix put=1,get=1 --ops "$ops" "${warmup_args[@]}" --keys "$keys" --value-size "$value_size" \
        --converge-timeout "$converge_timeout"
    for operation in put get
    do
        row="$(row_of "$operation" "$file")"
        if [[ -n "$row" ]]
        then
            IFS='|' read -r ok rate p50 p90 p99 p999 max <<<"$row"
            get_rows+=("| $transport | $operation | $ok | $rate | $p50 | $p90 | $p99 | $p999 | $max | $load |")
        fi
    done
done

elapsed=$(( $(date +%s) - started_epoch ))
cat <<EOF
# Replicated store put throughput matrix, $started

\`scripts/store-throughput-matrix.sh\`: 3 nodes in one JVM on memory storage, $keys keys, $value_size-byte values,
coordinators taken round robin, $in_flight in flight per client thread unless the table says otherwise. Machine:
$(nproc) cores, $(java -version 2>&1 | head -1). Took ${elapsed} s. Full reports: $raw_dir.

What each side got: every datacake-java run (\`perf-harness run\`) $warmup_text, then $ops puts measured
($single_ops in the one-in-flight runs); Hazelcast (\`perf-harness compare --targets hazelcast\`, 1 thread, 1 put
in flight) $warmup of warm-up, then $hazelcast_duration measured.

Hazelcast ReplicatedMap reference (load $hz_load): $hz_ops puts/s, p50 $hz_p50 us, p99 $hz_p99 us, p99.9 $hz_p999 us,
converged after $hz_converged ms.

## Puts

"x Hz" is puts/s over Hazelcast's; "Hz p99 /" and "Hz conv /" are Hazelcast's figure over this row's (above 10x
meets the goal). Convergence: from the last completed put until every node's keyspace digest agreed (then confirmed on
every storage); 0 means within the first poll.

| transport | threads | level | puts ok | puts/s | x Hz | p50 us | p99 us | p99.9 us | Hz p99 / | convergence ms | Hz conv / | load |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${put_rows[@]}")

## One put in flight at ONE (1 client thread: latency like for like with Hazelcast's)

| transport | puts ok | puts/s | x Hz | p50 us | Hz p50 / | p99 us | Hz p99 / | p99.9 us | Hz p99.9 / | load |
|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${single_rows[@]}")

## Gets (half gets, half QUORUM puts, 1 client thread)

| transport | operation | ok | ops/s | p50 us | p90 us | p99 us | p99.9 us | max us | load |
|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${get_rows[@]}")
EOF
