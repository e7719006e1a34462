# Shared helpers for scripts/stack: output, pid files, port and HTTP probes, background daemons.
# Sourced by scripts/stack; expects STACK_DIR to be set.

say()  { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die()  { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }

pid_file() { echo "$STACK_DIR/pids/$1.pid"; }
log_file() { echo "$STACK_DIR/logs/$1.log"; }

# Start time of a process (clock ticks since boot, /proc/PID/stat field 22): with the pid, it
# identifies the process, so a pid reused after a reboot or crash is never mistaken for ours.
proc_start() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"   # drop "pid (comm) ", comm may contain spaces
  # shellcheck disable=SC2086 # split on purpose
  set -- $stat
  echo "${20}"
}

# True while a process exists and has not exited (an exited child of an unreaped session is a
# zombie until init collects it, which here can take seconds).
running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat%% *}" != Z ]
}

# Pid recorded for a service, if that very process is still alive.
live_pid() {
  local f pid start
  f="$(pid_file "$1")"
  [ -f "$f" ] || return 1
  read -r pid start <"$f" 2>/dev/null || true
  [ -n "$pid" ] && running "$pid" || return 1
  [ -z "$start" ] || [ "$(proc_start "$pid")" = "$start" ] || return 1
  echo "$pid"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# "pid/command" of whatever listens on 127.0.0.1:$1 (best effort, for error messages).
port_owner() {
  ss -Htlnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -1
}

http_ok() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null; }

show_log_tail() {
  local f
  for f in "$STACK_DIR"/logs/"$1"*.log; do
    [ -f "$f" ] || continue
    printf '[stack] --- last lines of %s\n' "$f" >&2; tail -n 30 "$f" >&2
  done
}

# wait_until NAME TIMEOUT_S CMD... : polls CMD every 0.25 s; on timeout shows the service's log tail.
wait_until() {
  local name="$1" timeout_s="$2"; shift 2
  local deadline=$(( $(date +%s) + timeout_s ))
  while ! "$@" >/dev/null 2>&1; do
    if ! live_pid "$name" >/dev/null; then
      warn "$name exited during start-up"; show_log_tail "$name"
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      warn "$name not ready after ${timeout_s}s"; show_log_tail "$name"
      return 1
    fi
    sleep 0.25
  done
}

# spawn NAME CMD... : runs CMD as a detached session leader (survives the calling shell and
# terminal), stdout/stderr to the service log, pid recorded. The pid is also the process group,
# so `down` can signal the whole group (e.g. a wrapper and its child).
spawn() {
  local name="$1"; shift
  local log; log="$(log_file "$name")"
  printf '\n=== %s start %s: %s\n' "$name" "$(date -u +%FT%TZ)" "$*" >>"$log"
  # fd 9 is the stack lock: daemons must not inherit it.
  setsid nohup "$@" >>"$log" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid $(proc_start "$pid")" >"$(pid_file "$name")"
}

# Refuse to start when a foreign process already holds a port we need.
require_free_port() {
  local name="$1" port="$2" owner
  if port_open "$port"; then
    owner="$(port_owner "$port" || true)"
    die "$name: 127.0.0.1:$port is already in use${owner:+ by $owner} (not started by this stack). Stop it, or run 'scripts/stack down' if it is a stale stack."
  fi
}

# stop_service NAME [GRACE_S]: SIGTERM to the process group, wait, then SIGKILL.
stop_service() {
  local name="$1" grace="${2:-20}" pid i
  if ! pid="$(live_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  local t0; t0="$(now_ms)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 4; i++)); do
    running "$pid" || break
    sleep 0.1
  done
  if running "$pid"; then
    warn "$name did not exit within ${grace}s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$name")"
  say "stopped $name (pid $pid, $(( $(now_ms) - t0 )) ms)"
}

# Debian packages: install what is missing; refresh the package index only if a plain install fails.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  say "installing Debian packages: $*"
  if ! apt-get install -y -q --no-install-recommends "$@" >"$STACK_CACHE/apt.log" 2>&1; then
    say "apt-get install failed; running apt-get update and retrying"
    apt-get update -q >>"$STACK_CACHE/apt.log" 2>&1 || die "apt-get update failed (see $STACK_CACHE/apt.log)"
    apt-get install -y -q --no-install-recommends "$@" >>"$STACK_CACHE/apt.log" 2>&1 \
      || die "apt-get install $* failed (see $STACK_CACHE/apt.log)"
  fi
}
