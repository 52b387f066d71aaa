#!/usr/bin/env bash
# Runs the perf-harness command line: ./perf-harness.sh run, ./perf-harness.sh run --help. (Named .sh because
# perf-harness/ is the module directory.)
# Builds the shaded jar first when it is missing or older than the sources it is built from (once, quietly:
# offline first, then online if a dependency is not cached yet).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$root/perf-harness/target/perf-harness.jar"

# The modules the jar is built from, and the poms that configure them.
sources=()
for path in pom.xml engine/pom.xml engine/src/main transport-aeron/pom.xml transport-aeron/src/main \
    perf-harness/pom.xml perf-harness/src/main
do
    if [[ -e "$root/$path" ]]
    then
        sources+=("$root/$path")
    fi
done

stale()
{
    [[ ! -f "$jar" ]] && return 0
    (( ${#sources[@]} == 0 )) && return 1
    [[ -n "$(find "${sources[@]}" -newer "$jar" -type f -print -quit)" ]]
}

if stale
then
    echo "perf-harness: building $jar (once, a minute or two) ..." >&2
    log="$(mktemp "${TMPDIR:-/tmp}/perf-harness-build.XXXXXX")"
    build=(mvn -B -q -DskipTests package -pl perf-harness -am -f "$root/pom.xml")
    if ! "${build[@]}" -o >"$log" 2>&1 && ! "${build[@]}" >>"$log" 2>&1
    then
        cat "$log" >&2
        rm -f "$log"
        echo "perf-harness: the build failed (output above); fix it or run: ${build[*]}" >&2
        exit 1
    fi
    rm -f "$log"
fi

# Agrona needs jdk.internal.misc; native access keeps newer JDKs quiet. PERF_HARNESS_JAVA_OPTS adds JVM options
# (heap size, GC logging).
exec java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
    ${PERF_HARNESS_JAVA_OPTS:-} -jar "$jar" "$@"
