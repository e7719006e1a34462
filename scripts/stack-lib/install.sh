# Installation of everything the local stack runs. Each ensure_* is idempotent and cheap when the
# thing is already there. Downloads are cached: ~/.m2 (Maven), ~/.cache/seismo (Kafka libs),
# the Go build cache, pip's cache and apt's archive.

KAFKA_VERSION="4.1.1"
INFLUXDB_VERSION="v1.8.10"
MOTO_SPEC='moto[server]>=5.1.12'
KAFKA_LIBS="$STACK_CACHE/kafka-$KAFKA_VERSION/libs"

ensure_java() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

# Kafka from Maven Central: the pom in scripts/kafka lists the broker, its tools and a log4j2
# binding; `dependency:copy-dependencies` puts every jar in one directory used as the classpath.
ensure_kafka() {
  [ -f "$KAFKA_LIBS/.complete" ] && return 0
  ensure_java
  say "resolving Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  local tmp="$KAFKA_LIBS.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  mvn -q -B -f "$REPO_DIR/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$STACK_CACHE/mvn.log" 2>&1 \
    || { tail -n 40 "$STACK_CACHE/mvn.log" >&2; die "maven could not resolve the Kafka jars (see $STACK_CACHE/mvn.log)"; }
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$KAFKA_VERSION.jar missing after resolution"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"; mv "$tmp" "$KAFKA_LIBS"
}

# InfluxDB 1.8.10 has no Debian package; it is built from source through the Go module proxy.
influxd_bin() {
  local gobin
  gobin="${GOBIN:-$(go env GOBIN 2>/dev/null)}"
  [ -n "$gobin" ] || gobin="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
  echo "$gobin/influxd"
}

ensure_influxdb() {
  command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || die "Go is required to build InfluxDB $INFLUXDB_VERSION (not found)"
  command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
  INFLUXD="$(influxd_bin)"
  # A module build reports "vunknown" itself; the module version is in the build info.
  if [ -x "$INFLUXD" ] && go version -m "$INFLUXD" 2>/dev/null | grep -q "github.com/influxdata/influxdb[[:space:]]*$INFLUXDB_VERSION"; then
    return 0
  fi
  say "building InfluxDB $INFLUXDB_VERSION (go install, a few minutes on a cold Go cache)"
  CGO_ENABLED=0 go install "github.com/influxdata/influxdb/cmd/influxd@$INFLUXDB_VERSION" >"$STACK_CACHE/go-install.log" 2>&1 \
    || { tail -n 40 "$STACK_CACHE/go-install.log" >&2; die "go install influxd failed (see $STACK_CACHE/go-install.log)"; }
  [ -x "$INFLUXD" ] || die "influxd not found at $INFLUXD after go install"
}

ensure_debian_tools() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=(prometheus-node-exporter)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# moto lives in the interpreter's own site-packages (pyenv, a virtualenv), or, where the system
# Python refuses pip installs (PEP 668, as Debian's does), in a virtualenv of our own.
MOTO_VENV="$STACK_CACHE/moto-venv"

moto_python() {
  if [ -x "$MOTO_VENV/bin/python" ]; then echo "$MOTO_VENV/bin/python"; else echo python3; fi
}

moto_installed() {
  "$(moto_python)" - <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
from importlib.util import find_spec
v = tuple(int(p) for p in version("moto").split(".")[:3] if p.isdigit())
# The [server] extra brings flask and flask_cors; look them up without importing (fast).
sys.exit(0 if v >= (5, 1, 12) and find_spec("flask") and find_spec("flask_cors") else 1)
EOF
}

ensure_moto() {
  command -v python3 >/dev/null 2>&1 || die "python3 is required for moto (not found)"
  moto_installed && return 0
  say "installing $MOTO_SPEC with pip"
  if ! python3 -m pip install -q "$MOTO_SPEC" >"$STACK_CACHE/pip.log" 2>&1; then
    if grep -q externally-managed "$STACK_CACHE/pip.log"; then
      say "system Python is externally managed; installing moto into $MOTO_VENV"
      python3 -m venv "$MOTO_VENV" >>"$STACK_CACHE/pip.log" 2>&1 || { apt_install python3-venv; python3 -m venv "$MOTO_VENV"; }
      "$MOTO_VENV/bin/python" -m pip install -q "$MOTO_SPEC" >>"$STACK_CACHE/pip.log" 2>&1 \
        || { tail -n 30 "$STACK_CACHE/pip.log" >&2; die "pip install $MOTO_SPEC failed (see $STACK_CACHE/pip.log)"; }
    else
      tail -n 30 "$STACK_CACHE/pip.log" >&2; die "pip install $MOTO_SPEC failed (see $STACK_CACHE/pip.log)"
    fi
  fi
  hash -r
  moto_installed || die "moto still not importable after pip install (see $STACK_CACHE/pip.log)"
}

ensure_node() {
  command -v node >/dev/null 2>&1 || die "node (20+) is required for the test exporter"
}

ensure_all() {
  mkdir -p "$STACK_CACHE"
  ensure_debian_tools
  ensure_node
  ensure_java
  ensure_kafka
  ensure_influxdb
  ensure_moto
}
