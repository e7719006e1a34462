# The services of the local stack. For each NAME:
#   start_NAME   write its configuration under $STACK_DIR and spawn it in the background
#   ready_NAME   real readiness, used once after start (may be slow: it exercises the service)
#   probe_NAME   cheap liveness check used by `status`
# SERVICES is the start order; `down` stops them in reverse.

SERVICES=(redis influxdb moto kafka node-exporter test-exporter prometheus)

declare -A SERVICE_PORT=(
  [redis]=6379 [influxdb]=8086 [moto]=5000 [kafka]=9092
  [node-exporter]=9100 [test-exporter]=9101 [prometheus]=9090
)
declare -A SERVICE_URL=(
  [redis]=redis://127.0.0.1:6379 [influxdb]=http://127.0.0.1:8086 [moto]=http://127.0.0.1:5000
  [kafka]=127.0.0.1:9092 [node-exporter]=http://127.0.0.1:9100/metrics
  [test-exporter]=http://127.0.0.1:9101/metrics [prometheus]=http://127.0.0.1:9090
)
# Seconds allowed for readiness after start.
declare -A SERVICE_TIMEOUT=(
  [redis]=20 [influxdb]=60 [moto]=60 [kafka]=120 [node-exporter]=20 [test-exporter]=20 [prometheus]=60
)

# ---- Redis (Debian redis-server): no persistence, data dir in the stack.
start_redis() {
  mkdir -p "$STACK_DIR/redis"
  spawn redis redis-server --bind 127.0.0.1 --port 6379 --protected-mode yes \
    --save '' --appendonly no --daemonize no --dir "$STACK_DIR/redis" --loglevel notice
}
probe_redis() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
ready_redis() { probe_redis; }

# ---- InfluxDB 1.8.10 (built by ensure_influxdb): HTTP on 8086, no auth, all data in the stack.
start_influxdb() {
  local dir="$STACK_DIR/influxdb"
  mkdir -p "$dir"
  cat >"$dir/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:8088"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
  index-version = "inmem"
[http]
  enabled = true
  bind-address = "127.0.0.1:8086"
  auth-enabled = false
  log-enabled = false
  flux-enabled = false
[monitor]
  store-enabled = false
[logging]
  level = "warn"
EOF
  spawn influxdb "$INFLUXD" run -config "$dir/influxdb.conf"
}
probe_influxdb() { http_ok http://127.0.0.1:8086/ping; }
ready_influxdb() {
  probe_influxdb || return 1
  # The database seismo's example configurations use; tests create their own.
  curl -fsS --max-time 5 -o /dev/null -XPOST http://127.0.0.1:8086/query --data-urlencode 'q=CREATE DATABASE seismo'
}

# ---- moto: the CloudWatch API (and the rest of AWS) on 5000.
start_moto() {
  if [ -x "$MOTO_VENV/bin/moto_server" ]; then
    spawn moto "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p 5000
  elif command -v moto_server >/dev/null 2>&1; then
    spawn moto moto_server -H 127.0.0.1 -p 5000
  else
    spawn moto python3 -m moto.server -H 127.0.0.1 -p 5000
  fi
}
probe_moto() { http_ok http://127.0.0.1:5000/moto-api/data.json; }
# A real CloudWatch call: moto routes it by the credential scope of the (unchecked) signature.
ready_moto() {
  curl -fsS --max-time 5 -o /dev/null -XPOST http://127.0.0.1:5000/ \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0' \
    --data 'Action=ListMetrics&Version=2010-08-01'
}

# ---- Kafka: single KRaft node (broker + controller) from the Maven Central jars.
kafka_java() {
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="file:$STACK_DIR/kafka/log4j2-tools.properties" "$@"
}
start_kafka() {
  local dir="$STACK_DIR/kafka" lib="$REPO_DIR/scripts/stack-lib"
  mkdir -p "$dir/data"
  sed "s|@DATA_DIR@|$dir/data|" "$lib/kafka-server.properties" >"$dir/server.properties"
  sed "s|@LOG_FILE@|$STACK_DIR/logs/kafka-server.log|g" "$lib/kafka-log4j2.properties" >"$dir/log4j2.properties"
  # Command-line tools (format, topic check) log warnings to stderr only.
  printf '%s\n' 'status = warn' 'appender.err.type = Console' 'appender.err.name = err' \
    'appender.err.target = SYSTEM_ERR' 'appender.err.layout.type = PatternLayout' \
    'appender.err.layout.pattern = %p %m (%c)%n' 'rootLogger.level = warn' 'rootLogger.appenderRef.err.ref = err' \
    >"$dir/log4j2-tools.properties"
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    kafka_java kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$dir/server.properties" \
      >>"$(log_file kafka)" 2>&1 || { tail -n 20 "$(log_file kafka)" >&2; die "kafka: storage format failed"; }
  fi
  spawn kafka java -Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dkafka.logs.dir="$STACK_DIR/logs" \
    -Dlog4j2.configurationFile="file:$dir/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties"
}
probe_kafka() { port_open 9092; }
# The broker is ready when it answers metadata and can create a topic (TopicCommand does both).
ready_kafka() {
  port_open 9092 || return 1
  timeout 60 java -Xmx256m -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="file:$STACK_DIR/kafka/log4j2-tools.properties" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 \
    --create --if-not-exists --topic seismo-stack-ready --partitions 1 --replication-factor 1 \
    >>"$STACK_DIR/logs/kafka-ready.log" 2>&1
}

# ---- prometheus-node-exporter on 9100.
start_node-exporter() {
  spawn node-exporter prometheus-node-exporter --web.listen-address=127.0.0.1:9100
}
probe_node-exporter() { http_ok http://127.0.0.1:9100/metrics; }
ready_node-exporter() { probe_node-exporter; }

# ---- scripts/test-exporter.mjs on 9101.
start_test-exporter() {
  spawn test-exporter node "$REPO_DIR/scripts/test-exporter.mjs" --host 127.0.0.1 --port 9101
}
probe_test-exporter() { http_ok http://127.0.0.1:9101/healthz; }
ready_test-exporter() { probe_test-exporter; }

# ---- Prometheus on 9090, scraping both exporters every second.
start_prometheus() {
  local dir="$STACK_DIR/prometheus"
  mkdir -p "$dir/data"
  cp "$REPO_DIR/scripts/prometheus/prometheus.yml" "$dir/prometheus.yml"
  spawn prometheus prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=1d --web.listen-address=127.0.0.1:9090 --web.enable-lifecycle \
    --log.level=warn
}
probe_prometheus() { http_ok http://127.0.0.1:9090/-/ready; }
# Ready, and has already scraped the test exporter successfully.
ready_prometheus() {
  probe_prometheus || return 1
  curl -fsS --max-time 3 http://127.0.0.1:9090/api/v1/query \
    --data-urlencode 'query=up{job="seismo-test-exporter"} == 1' 2>/dev/null | grep -q '"job":"seismo-test-exporter"'
}
