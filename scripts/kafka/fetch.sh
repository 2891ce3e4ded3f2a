#!/usr/bin/env bash
# Puts Kafka jars under .kafka, taken from Maven Central through Maven (this project's machines
# reach no download site, only package registries). Idempotent: does nothing when the folder
# already holds the requested version.
#   fetch.sh        the broker (pom.xml: kafka_2.13) into $KAFKA_HOME/lib
#   fetch.sh mm2    MirrorMaker 2 (mm2/pom.xml: connect-mirror) into $KAFKA_HOME/mm2-lib
#   KAFKA_VERSION  overrides the broker version pinned in pom.xml (not MirrorMaker's)
#   KAFKA_HOME     where .kafka lives (default: the repository root)
#   KAFKA_LIB      where the broker's jars go (default: $KAFKA_HOME/lib)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kafka_home="${KAFKA_HOME:-$root/.kafka}"
what="${1:-broker}"

case "$what" in
  broker)
    pom="$here/pom.xml"
    lib="${KAFKA_LIB:-$kafka_home/lib}"
    pinned="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
    version="${KAFKA_VERSION:-$pinned}"
    marker="kafka_2.13-$version.jar"
    ;;
  mm2)
    pom="$here/mm2/pom.xml"
    lib="$kafka_home/mm2-lib"
    version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
    marker="connect-mirror-$version.jar"
    ;;
  *)
    echo "fetch.sh: unknown '$what' (broker | mm2)" >&2
    exit 2
    ;;
esac

if [[ -f "$lib/.version" && "$(cat "$lib/.version")" == "$version" ]] && compgen -G "$lib/$marker" >/dev/null; then
  echo "$what $version already in $lib"
  exit 0
fi

command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (Maven 3.8+ and Java 17 are needed)" >&2; exit 1; }

# Fetch into a fresh folder and swap it in, so an interrupted run never leaves a half-filled lib
# that the check above would take for complete.
tmp="$lib.partial"
log="$kafka_home/fetch-$what.log"
rm -rf "$tmp"
mkdir -p "$tmp" "$kafka_home"
start=$(date +%s)
# Maven's output is kept for a failure only (even -q -B prints terminal reset codes here)
if ! mvn -B -q -Dstyle.color=never -f "$pom" \
  -Dkafka.version="$version" \
  dependency:copy-dependencies \
  -DincludeScope=runtime \
  -DoutputDirectory="$tmp" > "$log" 2>&1; then
  echo "fetch.sh: mvn failed for $what $version; its output:" >&2
  cat "$log" >&2
  rm -rf "$tmp"
  exit 1
fi
echo "$version" > "$tmp/.version"
rm -rf "$lib"
mv "$tmp" "$lib"
echo "$what $version: $(ls "$lib"/*.jar | wc -l) jars in $lib ($(( $(date +%s) - start ))s)"
