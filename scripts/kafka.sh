#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft, broker + controller in one JVM) for
# development and tests. Needs only Java 17+ and Maven: the broker's jars come from Maven
# Central through `mvn dependency:copy-dependencies` and are cached in the repo's ignored
# `.cache/kafka/` folder, so a second start needs no network.
#
#   scripts/kafka.sh start      fetch (once), format (once), start, wait until ready; prints the
#                               bootstrap address. A no-op that prints the address when running.
#   scripts/kafka.sh stop       SIGTERM, wait for a clean shutdown (SIGKILL after 60 s).
#   scripts/kafka.sh status     "running <addr> pid <pid>" and exit 0, or "stopped" and exit 1.
#   scripts/kafka.sh bootstrap  the address only (exit 1 when not running).
#   scripts/kafka.sh fetch      only download the jars.
#
# Environment: KAFKA_PORT (client port; default: the previous one if free, else a free one
# outside the kernel's ephemeral port range, see free_port), KAFKA_CONTROLLER_PORT, KAFKA_VERSION (default below), KAFKA_HOME_DIR (default
# <repo>/.cache/kafka), KAFKA_HEAP (default 512m), KAFKA_FRESH=1 (wipe the log dir on start).
# The log dir survives stop/start (so a broker restart keeps its data) unless the ports change.
#
# Secure mode, `scripts/kafka.sh secure start|stop|status|bootstrap|acls PREFIX|dir`: a second,
# separate broker (home .cache/kafka-secure, the same jars) whose client listener is SASL_SSL
# with SCRAM-SHA-512 and a TLS certificate made here with openssl (a private CA:
# <dir>/tls/ca.pem is what clients trust), and the StandardAuthorizer with no access unless an
# ACL allows it. Its SCRAM users are `admin` (super user), one per principal of
# ops/kafka/acls.txt and `wcp-no-acl` (authenticates, may do nothing); their passwords are in
# <dir>/secrets/<user>.password (0600). `start` grants the table's ACLs; `acls PREFIX` grants
# them again for a topic prefix (a test's own topics). The secure broker starts empty every
# time (users are created when its storage is formatted). Its controller listener is
# PLAINTEXT on 127.0.0.1 (KRaft's controller does not take SCRAM): a test broker, not a
# production set-up. scripts/kafka_secure.sh holds this mode's functions.
set -euo pipefail
# Everything this script writes is its user's alone: in secure mode server.properties holds
# the admin's SCRAM password and the key store's password (trial 17a D10: it was 0644).
umask 077

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECURE=0
if [[ "${1:-}" == secure ]]; then
    SECURE=1
    shift
fi
if [[ "$SECURE" == 1 ]]; then
    HOME_DIR="${KAFKA_HOME_DIR:-$ROOT/.cache/kafka-secure}"
    LIB="${KAFKA_LIB_DIR:-$ROOT/.cache/kafka/lib}"
else
    HOME_DIR="${KAFKA_HOME_DIR:-$ROOT/.cache/kafka}"
    LIB="${KAFKA_LIB_DIR:-$HOME_DIR/lib}"
fi
VERSION="${KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION="2.24.3"
SLF4J_VERSION="2.0.17"
DATA="$HOME_DIR/data"
PROPS="$HOME_DIR/server.properties"
PIDFILE="$HOME_DIR/pid"
ADDRFILE="$HOME_DIR/bootstrap"
PORTSFILE="$HOME_DIR/ports"
LOG="$HOME_DIR/server.log"
START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-120}"

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The kernel's ephemeral (client source) port range, "LOW HIGH".
ephemeral_range() {
    local r
    r="$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)" || r="32768 60999"
    echo $r
}

# True when $1 lies in the ephemeral range: a client reconnecting to a stopped broker on such
# a port can be given that very port as its source port and connect to itself (a trial:
# `TIME-WAIT 127.0.0.1:39592 127.0.0.1:39592`, and the broker's restart failed with "Address
# already in use"). docs/OPERATIONS.md "Broker ports".
in_ephemeral_range() {
    local lo hi
    read -r lo hi <<<"$(ephemeral_range)"
    [[ -n "$lo" && -n "$hi" ]] && (( $1 >= lo && $1 <= hi ))
}

# True when 127.0.0.1:$1 can be bound now (python3 when present; else only "nothing listens").
bindable() {
    command -v python3 >/dev/null || return 0
    python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}

# A free port outside the ephemeral range: 10000 up to the range's start (10000-32767 with
# Linux's default 32768-60999), else above its end.
free_port() {
    local lo hi from to p
    read -r lo hi <<<"$(ephemeral_range)"
    lo="${lo:-32768}" hi="${hi:-60999}"
    from=10000 to=$((lo - 1))
    if (( to - from < 1000 )); then from=$((hi + 1)) to=65535; fi
    (( to - from >= 100 )) || die "no room outside the ephemeral port range $lo-$hi: set KAFKA_PORT and KAFKA_CONTROLLER_PORT"
    for _ in $(seq 1 200); do
        p=$((from + (RANDOM * 32768 + RANDOM) % (to - from + 1)))
        if ! port_open "$p" && bindable "$p"; then echo "$p"; return 0; fi
    done
    die "no free port found in $from-$to"
}

running_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled pid: it must be our broker's JVM.
    grep -q "kafka.Kafka" "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

fetch() {
    local stamp="$LIB/.complete-$VERSION-slf4j$SLF4J_VERSION"
    [[ -f "$stamp" ]] && return 0
    if ! command -v mvn >/dev/null || ! command -v java >/dev/null; then
        # A fresh Debian machine (e.g. CI) as root: bring the two prerequisites.
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
            say "installing Java 17 and Maven with apt-get"
            apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless maven >&2
        fi
    fi
    command -v mvn >/dev/null || die "mvn not found (install Maven)"
    command -v java >/dev/null || die "java not found (install a JDK 17+)"
    mkdir -p "$HOME_DIR" "$(dirname "$LIB")"
    rm -rf "$LIB"
    # A throw-away pom whose only job is to name the broker and a log4j2 backend.
    cat >"$HOME_DIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.wcp</groupId>
  <artifactId>kafka-broker-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$VERSION</version></dependency>
    <!-- Pinned: Maven's nearest-wins would otherwise pick slf4j 1.7 from a transitive path and
         the broker would log nothing (we wait for its "Kafka Server started" line). -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
    say "fetching Apache Kafka $VERSION jars with Maven (first run only)"
    mvn -B -q -f "$HOME_DIR/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$LIB" >"$HOME_DIR/fetch.log" 2>&1 ||
        { tail -n 30 "$HOME_DIR/fetch.log" >&2; die "mvn failed (see $HOME_DIR/fetch.log)"; }
    ls "$LIB"/kafka_2.13-"$VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$VERSION.jar missing after fetch"
    touch "$stamp"
}

write_config() {
    local port="$1" cport="$2"
    : >"$PROPS"
    chmod 600 "$PROPS"
    cat >"$PROPS" <<EOF
# Written by scripts/kafka.sh: single node, KRaft broker + controller, dev/test settings.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
controller.listener.names=CONTROLLER
EOF
    if [[ "$SECURE" == 1 ]]; then
        secure_listener_config "$port" "$cport" >>"$PROPS"
    else
        cat >>"$PROPS" <<EOF
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
EOF
    fi
    cat >>"$PROPS" <<EOF
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.segment.bytes=16777216
log.retention.hours=24
log.cleaner.dedupe.buffer.size=16777216
# wcp's record limit (wcp_runtime::kafka::MAX_MESSAGE_BYTES; wcp topics create sets it per
# topic too): the ~1 MB default refused a raw record under input.max_record_bytes.
message.max.bytes=20971520
num.network.threads=2
num.io.threads=4
EOF
    cat >"$HOME_DIR/log4j2.properties" <<'EOF'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

choose_ports() {
    local old_port="" old_cport=""
    mkdir -p "$HOME_DIR"
    if [[ -f "$PORTSFILE" ]]; then read -r old_port old_cport <"$PORTSFILE" || true; fi
    PORT="${KAFKA_PORT:-}"
    CPORT="${KAFKA_CONTROLLER_PORT:-}"
    if [[ -z "$PORT" ]]; then
        if [[ -n "$old_port" ]] && ! port_open "$old_port"; then PORT="$old_port"; else PORT="$(free_port)"; fi
    fi
    if [[ -z "$CPORT" ]]; then
        if [[ -n "$old_cport" && "$old_cport" != "$PORT" ]] && ! port_open "$old_cport"; then
            CPORT="$old_cport"
        else
            CPORT="$(free_port)"
            while [[ "$CPORT" == "$PORT" ]]; do CPORT="$(free_port)"; done
        fi
    fi
    port_open "$PORT" && die "port $PORT is already in use"
    for p in "$PORT" "$CPORT"; do
        if in_ephemeral_range "$p"; then
            say "warning: port $p lies in the ephemeral port range ($(ephemeral_range)): a" \
                "client may connect to itself while the broker is down (docs/OPERATIONS.md" \
                "\"Broker ports\"); unset KAFKA_PORT and delete $PORTSFILE to get others (the log dir is then wiped)"
        fi
    done
    # The broker registers its endpoints in the metadata log: a log dir formatted for other
    # ports is wiped rather than half-reused.
    if [[ "$PORT $CPORT" != "$old_port $old_cport" || "${KAFKA_FRESH:-0}" == "1" || "$SECURE" == 1 ]]; then
        rm -rf "$DATA"
    fi
    echo "$PORT $CPORT" >"$PORTSFILE"
}

format_storage() {
    [[ -f "$DATA/meta.properties" ]] && return 0
    mkdir -p "$DATA"
    local cluster_id
    cluster_id="$(java -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    [[ -n "$cluster_id" ]] || die "could not generate a cluster id"
    java -Dlog4j2.configurationFile="$HOME_DIR/log4j2.properties" -cp "$LIB/*" \
        kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" --ignore-formatted \
        ${SCRAM_ARGS[@]+"${SCRAM_ARGS[@]}"} \
        >"$HOME_DIR/format.log" 2>&1 || { cat "$HOME_DIR/format.log" >&2; die "storage format failed"; }
}

start() {
    local pid
    if pid="$(running_pid)"; then
        cat "$ADDRFILE"
        return 0
    fi
    fetch
    choose_ports
    SCRAM_ARGS=()
    [[ "$SECURE" == 1 ]] && secure_prepare
    write_config "$PORT" "$CPORT"
    format_storage
    : >"$LOG"
    # setsid: the broker outlives the shell that started it (a test script's trap stops it).
    # GC and safepoint pauses logged (two rotated 5 MB files beside server.log): the suite
    # once saw the broker freeze 10-17 s, and this tells a collection from a stalled host.
    setsid java -Xmx"${KAFKA_HEAP:-512m}" -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Xlog:gc,safepoint:file="$HOME_DIR/gc.log":time,uptime:filecount=2,filesize=5m \
        -Djava.awt.headless=true -Dlog4j2.configurationFile="$HOME_DIR/log4j2.properties" \
        -cp "$LIB/*" kafka.Kafka "$PROPS" >>"$LOG" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PIDFILE"
    local waited=0
    until port_open "$PORT" && grep -q "Kafka Server started" "$LOG"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$LOG" >&2
            rm -f "$PIDFILE"
            if grep -q "Address already in use" "$LOG"; then
                # The usual cause in the ephemeral range: a client that keeps reconnecting to
                # the stopped broker's port got that port as its own source port (a trial saw
                # ten failed starts in a row while the services ran).
                local held
                held="$(ss -tanH 2>/dev/null | awk -v p=":$PORT" '$4 ~ p"$" || $5 ~ p"$"' | head -n 3)"
                die "broker exited during start-up: port $PORT or $CPORT is in use (log: $LOG)." \
                    "${held:+Held by: $held.} A client reconnecting to a stopped broker can hold its" \
                    "port when the port lies in the ephemeral range ($(ephemeral_range)): stop those" \
                    "clients, or move the broker below the range (unset KAFKA_PORT and" \
                    "KAFKA_CONTROLLER_PORT, delete $PORTSFILE); see docs/OPERATIONS.md \"Broker ports\""
            fi
            die "broker exited during start-up (log: $LOG)"
        fi
        ((waited >= START_TIMEOUT_S * 5)) && { tail -n 40 "$LOG" >&2; stop; die "broker not ready after ${START_TIMEOUT_S}s"; }
        sleep 0.2
        waited=$((waited + 1))
    done
    echo "127.0.0.1:$PORT" >"$ADDRFILE"
    if [[ "$SECURE" == 1 ]] && ! secure_acls ""; then stop; die "secure broker stopped: no ACLs"; fi
    say "broker ready at 127.0.0.1:$PORT (pid $pid, log $LOG)"
    echo "127.0.0.1:$PORT"
}

stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PIDFILE" "$ADDRFILE"
        say "not running"
        return 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "broker did not stop within 60 s, killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE" "$ADDRFILE"
    say "stopped"
}

status() {
    local pid
    if pid="$(running_pid)"; then
        echo "running $(cat "$ADDRFILE" 2>/dev/null || echo '?') pid $pid"
    else
        echo "stopped"
        return 1
    fi
}

bootstrap() {
    running_pid >/dev/null || die "broker not running (scripts/kafka.sh start)"
    cat "$ADDRFILE"
}

if [[ "$SECURE" == 1 ]]; then source "$ROOT/scripts/kafka_secure.sh"; fi

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    bootstrap) bootstrap ;;
    fetch) fetch ;;
    acls)
        [[ "$SECURE" == 1 ]] || die "acls: secure mode only (scripts/kafka.sh secure acls PREFIX)"
        running_pid >/dev/null || die "broker not running (scripts/kafka.sh secure start)"
        secure_acls "${2:-}" ;;
    dir) echo "$HOME_DIR" ;;
    *) echo "usage: $0 [secure] start|stop|status|bootstrap|fetch (secure also: acls PREFIX, dir)" >&2; exit 2 ;;
esac
