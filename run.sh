#!/usr/bin/env bash
# Roamer launcher: builds the distribution if needed, unpacks it to target/roamer and runs it.
# ./run.sh --help for usage.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME_DIR="${ROAMER_HOME:-$ROOT/target/roamer}"
STAMP="$HOME_DIR/.roamer-distribution"
USER_NAME="roamer"
START_TIMEOUT="${ROAMER_START_TIMEOUT:-180}"

usage() {
  cat <<'EOF'
Usage: ./run.sh [--build] [--fresh] [COMMAND [ARGS...]]

Runs the Roamer distribution (Apache Karaf with Roamer) from target/roamer.

Commands:
  (none)             start Roamer in the foreground with its Karaf console (Ctrl-D or 'shutdown' stops it)
  start              start Roamer in the background and wait until its console answers; prints the boot time
  client CMD...      run console commands in batch mode against the running Roamer, e.g.
                       ./run.sh client 'bundle:list' 'roamer:nodes'
                     with no CMD, commands are read from standard input, one per line;
                     stops at the first failing command (exit code 1)
  stop               stop the background Roamer
  status             tell whether Roamer is running
  password           print the console user and password

  network start [N] [--directory memory|zookeeper]
                     a network of containers on this machine: a Location Server container (ls1) and N USS
                     containers (c1..cN, default 3), each its own Karaf process with its own etc/, data/ and
                     SSH port, under target/network/; starts the ones not running, waits for every console.
                     --directory zookeeper: three Location Server containers (ls1..ls3), each running one
                     member of a ZooKeeper ensemble that holds the location directory, every directory link
                     mutual TLS with certificates of a CA made for the network (target/network/pki); the USS
                     nodes know all three and fail over between them. Default: memory (one LS, its own memory)
  network status     each container: running or not, its SSH port, its nodes' address
  network client NAME CMD...
                     console commands in container NAME (ls1, c1, ...; a node id such as uss-c2 names its
                     container), e.g. ./run.sh network client c1 'roamer:nodes'
  network kill NAME  kills a container's JVM with SIGKILL (a crash); 'network start' brings it back
  network stop       stops every container of the network

Options:
  --build            build first (mvn -B -q install -DskipTests); done anyway when the zip is missing
  --fresh            discard target/roamer (configuration changes, data, password) and unpack anew
  -h, --help         this help

The distribution is unpacked once and kept (its data/ and etc/ survive restarts); it is unpacked anew
with --fresh, or when the distribution zip has been rebuilt (the password is kept in that case).

Console access: user 'roamer', admin group. The first unpack generates a random password and prints it once;
the container keeps only its SHA-256 hash (etc/users.properties), the password itself is in
target/roamer/client/etc/users.properties (mode 600), where bin/client reads it: no command line carries it.
'./run.sh password' prints it again.
Environment:
  ROAMER_PASSWORD        sets the password of user 'roamer' (letters, digits and ._~+@%^- only)
  ROAMER_START_TIMEOUT   seconds 'start' waits for the console (default 180)
  ROAMER_HOME            where to unpack (default target/roamer)
  ROAMER_PORT_BASE       moves the container's ports (SSH at it, ls1 at +10, uss-c1..c3 at +11..+13), e.g.
                         ROAMER_HOME=target/roamer2 ROAMER_PORT_BASE=9000 ./run.sh start beside the default one
  ROAMER_NETWORK_HOME    where the network's containers live (default target/network)
  ROAMER_NETWORK_SSH     SSH port of ls1 (default 8110; c1 gets 8111, ...)
  ROAMER_NETWORK_PORT    node port of ls1 (default 7200; uss-c1 gets 7201, ...)
  JAVA_HOME              Java 17 to 24 (Karaf 4.4 does not run on Java 25)
SSH listens on 127.0.0.1:8101 only (the network's containers: 127.0.0.1:8110 and up).
The containers of a network share one console password; consoles of one network may command each other's
nodes (admin.remote = true in each container's etc/org.roamer.runtime.cfg).
EOF
}

die() { echo "run.sh: error: $*" >&2; exit 1; }
info() { echo "run.sh: $*" >&2; }

# ---------------------------------------------------------------- arguments

BUILD=false
FRESH=false
COMMAND=console
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=true; shift ;;
    --fresh) FRESH=true; shift ;;
    -h|--help|help) usage; exit 0 ;;
    start|stop|status|password) COMMAND="$1"; shift
      [ $# -eq 0 ] || { [ "$1" = "--build" ] || [ "$1" = "--fresh" ] || die "'$COMMAND' takes no arguments (got: $*)"; } ;;
    client) COMMAND=client; shift; ARGS=("$@"); break ;;
    network) COMMAND=network; shift; ARGS=("$@"); break ;;
    -*) die "unknown option: $1 (see ./run.sh --help)" ;;
    *) die "unknown command: $1 (see ./run.sh --help)" ;;
  esac
done

# ---------------------------------------------------------------- Java

find_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    [ -x "$JAVA_HOME/bin/java" ] || die "JAVA_HOME=$JAVA_HOME has no bin/java"
  else
    local java
    java="$(command -v java)" || die "no 'java' on PATH: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")"
    export JAVA_HOME
  fi
  local version major
  version="$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)"
  major="${version%%.*}"
  [ "$major" = "1" ] && major="$(echo "$version" | cut -d. -f2)"
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot read the Java version of $JAVA_HOME/bin/java"
  if [ "$major" -lt 17 ] || [ "$major" -ge 25 ]; then
    die "Java $version at $JAVA_HOME: Roamer (Karaf 4.4.10) needs Java 17 to 24; set JAVA_HOME"
  fi
}

# ---------------------------------------------------------------- distribution

find_zip() {
  local zips=("$ROOT"/karaf-assembly/target/roamer-karaf-assembly-*.zip)
  if [ -e "${zips[0]}" ]; then echo "${zips[0]}"; fi
}

build() {
  command -v mvn >/dev/null || die "Maven (mvn) not found: install Maven 3.8+"
  info "building Roamer (mvn -B -q install -DskipTests) ..."
  (cd "$ROOT" && mvn -B -q install -DskipTests) || die "the build failed (see the Maven output above)"
}

zip_stamp() { stat -c '%s %Y' "$1"; }

# The console password in clear is kept only where bin/client reads it: client/etc/users.properties (directory
# 700, file 600, this user only), so that no command line carries it: given neither -u nor -p, bin/client logs in
# as the first user of the users.properties in KARAF_ETC, with the password written there. The container's
# etc/users.properties holds the password's SHA-256 hash (etc/org.apache.karaf.jaas.cfg: encryption.enabled).
# Prints the directory; refreshes its copy of the container's SSH settings (a network's containers get their port
# after the password was written).
client_etc() {
  local etc="$HOME_DIR/client/etc"
  if [ -d "$etc" ] && [ "$HOME_DIR/etc/org.apache.karaf.shell.cfg" -nt "$etc/org.apache.karaf.shell.cfg" ]; then
    cp "$HOME_DIR/etc/org.apache.karaf.shell.cfg" "$etc/"
  fi
  echo "$etc"
}

read_password() {
  local file
  file="$(client_etc)/users.properties"
  [ -f "$file" ] || return 0
  sed -n "s/^${USER_NAME}[[:space:]]*=[[:space:]]*\([^,]*\),.*/\1/p" "$file" | head -n 1
}

# Replaces the line of $USER_NAME in users.properties file $1 with password $2 (a clear one, or a {CRYPT} hash).
put_user() {
  local file="$1" secret="$2" tmp="$1.tmp"
  ( umask 077
    { grep -v "^${USER_NAME}[[:space:]]*=" "$file" 2>/dev/null || true
      printf '%s = %s,_g_:admingroup\n' "$USER_NAME" "$secret"; } > "$tmp" )
  mv "$tmp" "$file"
  chmod 600 "$file"
}

write_password() {
  local password="$1" etc hash
  [[ "$password" =~ ^[A-Za-z0-9._~+@%^-]+$ ]] || die "ROAMER_PASSWORD may use only letters, digits and ._~+@%^-"
  etc="$(client_etc)"
  ( umask 077; mkdir -p "$etc" )
  chmod 700 "$HOME_DIR/client" "$etc"
  put_user "$etc/users.properties" "$password"
  # bin/client reads the SSH port and host of the container from the same directory
  cp "$HOME_DIR/etc/org.apache.karaf.shell.cfg" "$etc/"
  hash="$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)"
  put_user "$HOME_DIR/etc/users.properties" "{CRYPT}${hash}{CRYPT}"
}

# ROAMER_PASSWORD, when set, replaces the stored password (Karaf reads users.properties at each login).
apply_password_override() {
  if [ -n "${ROAMER_PASSWORD:-}" ] && [ "$ROAMER_PASSWORD" != "$(read_password)" ]; then
    write_password "$ROAMER_PASSWORD"
    info "password of user '$USER_NAME' set from ROAMER_PASSWORD"
  fi
}

random_password() {
  local password
  password="$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  echo "${password:0:20}"
}

is_running() { [ -x "$HOME_DIR/bin/status" ] && "$HOME_DIR/bin/status" >/dev/null 2>&1; }

# The container's SSH port, as its configuration says.
ssh_port() {
  sed -n 's/^sshPort[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$HOME_DIR/etc/org.apache.karaf.shell.cfg" 2>/dev/null \
    | head -n 1
}

# ROAMER_PORT_BASE=B moves the single container's ports, so that two distributions (two ROAMER_HOMEs) run side by
# side: SSH at B, ls1 at B+10, uss-c1..c3 at B+11..B+13. The ports stay with the unpacked distribution
# (.roamer-ports) until another base is given, or --fresh.
apply_port_base() {
  local base="${ROAMER_PORT_BASE:-}" stamp="$HOME_DIR/.roamer-ports" etc="$HOME_DIR/etc" k f
  [ -n "$base" ] || return 0
  [[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 65000 ] \
    || die "ROAMER_PORT_BASE must be a number from 1024 to 65000, is '$base'"
  [ "$(cat "$stamp" 2>/dev/null)" = "$base" ] && return 0
  is_running && die "Roamer is running from $HOME_DIR on other ports: ./run.sh stop first, then ROAMER_PORT_BASE=$base ./run.sh start"
  set_prop "$etc/org.apache.karaf.shell.cfg" sshPort "$base"
  [ -f "$etc/org.roamer.location-ls1.cfg" ] && set_prop "$etc/org.roamer.location-ls1.cfg" listen "127.0.0.1:$(( base + 10 ))"
  for k in 1 2 3; do
    f="$etc/org.roamer.uss-c$k.cfg"
    [ -f "$f" ] || continue
    set_prop "$f" listen "127.0.0.1:$(( base + 10 + k ))"
    set_prop "$f" location.server "127.0.0.1:$(( base + 10 ))"
  done
  echo "$base" > "$stamp"
  info "ports of $HOME_DIR: SSH $base, ls1 $(( base + 10 )), uss-c1..c3 $(( base + 11 ))..$(( base + 13 )) (ROAMER_PORT_BASE)"
}

# Unpacks the zip into $HOME_DIR when needed; sets NEW_PASSWORD=true when a password was generated.
NEW_PASSWORD=false
prepare() {
  local zip
  zip="$(find_zip)"
  if $BUILD || [ -z "$zip" ]; then
    build
    zip="$(find_zip)"
    [ -n "$zip" ] || die "the build produced no karaf-assembly/target/roamer-karaf-assembly-*.zip"
  fi

  local reason="" keep_password=""
  if $FRESH; then
    reason="--fresh"
  elif [ ! -f "$STAMP" ]; then
    reason="first run"
  elif [ "$(cat "$STAMP")" != "$(zip_stamp "$zip")" ]; then
    reason="the distribution was rebuilt"
    keep_password="$(read_password)"
  fi

  if [ -n "$reason" ]; then
    if is_running; then
      die "Roamer is running from $HOME_DIR: ./run.sh stop first ($reason needs a new unpack)"
    fi
    info "unpacking $(basename "$zip") to $HOME_DIR ($reason)"
    local tmp="$HOME_DIR.unpack"
    rm -rf "$tmp" "$HOME_DIR"
    [ ! -e "$HOME_DIR" ] || die "cannot remove $HOME_DIR (is another Roamer process still writing to it?)"
    mkdir -p "$tmp"
    if command -v unzip >/dev/null; then
      unzip -q "$zip" -d "$tmp"
    else
      (cd "$tmp" && "$JAVA_HOME/bin/jar" xf "$zip")
      chmod +x "$tmp"/*/bin/* 2>/dev/null || true
    fi
    mv "$tmp"/roamer-karaf-assembly-* "$HOME_DIR"
    rmdir "$tmp"
    local password="${ROAMER_PASSWORD:-$keep_password}"
    if [ -z "$password" ]; then
      password="$(random_password)"
      NEW_PASSWORD=true
    fi
    write_password "$password"
    zip_stamp "$zip" > "$STAMP"
  else
    apply_password_override
  fi
  [ -n "$(read_password)" ] || die "no '$USER_NAME' user in $(client_etc)/users.properties: ./run.sh --fresh, or set ROAMER_PASSWORD"
  apply_port_base
}

# Prints the console's user and how to reach it; the password itself only when it was just generated, or when
# asked for with ./run.sh password ($1 = show).
print_credentials() {
  local password
  password="$(read_password)"
  echo "  user:     $USER_NAME"
  if $NEW_PASSWORD || [ "${1:-}" = show ]; then
    $NEW_PASSWORD && echo "  (a password was generated; ./run.sh password shows it again)"
    echo "  password: $password"
  else
    echo "  password: ./run.sh password"
  fi
  echo "  SSH:      127.0.0.1:$(ssh_port) (loopback only)"
  echo "Run console commands from a script (the password stays in $(client_etc), mode 600):"
  echo "  ./run.sh client 'bundle:list'"
  echo "  echo 'bundle:list' | KARAF_ETC=$(client_etc) $HOME_DIR/bin/client -b"
}

# Karaf colours its own errors (e.g. "too many arguments specified") even in batch mode: when standard output is
# not a terminal, colour codes are removed. Pipes stdin to the client command "$@"; returns the client's exit code.
uncoloured() {
  if [ -t 1 ]; then
    "$@"
  else
    "$@" | sed -u 's/\x1b\[[0-9;]*m//g'
    return "${PIPESTATUS[0]}"
  fi
}

# Runs console commands (arguments, or stdin when none) in batch mode; returns the client's exit code.
client() {
  local password
  password="$(read_password)"
  if [ $# -gt 0 ]; then
    printf '%s\n' "$@" | KARAF_ETC="$(client_etc)" uncoloured "$HOME_DIR/bin/client" -r 3 -d 1 -b
  else
    KARAF_ETC="$(client_etc)" uncoloured "$HOME_DIR/bin/client" -r 3 -d 1 -b
  fi
}

now_ms() { date +%s%3N; }

start_background() {
  if is_running; then
    info "Roamer is already running from $HOME_DIR"
    return 0
  fi
  local t0
  t0="$(now_ms)"
  "$HOME_DIR/bin/start"
  wait_console "$t0"
}

# Waits until the console of $HOME_DIR answers roamer:nodes; prints what it answered and the time since $1 (ms).
wait_console() {
  local t0="$1" deadline out out2 password
  password="$(read_password)"
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  info "waiting for the console (roamer:nodes) ..."
  while :; do
    if out="$(printf 'roamer:nodes\n' | KARAF_ETC="$(client_etc)" "$HOME_DIR/bin/client" -r 1 -d 1 -b 2>&1)"; then
      break
    fi
    # roamer:nodes not (yet) there: ready once every Roamer bundle is Active and the command still is missing
    if [[ "$out" == *"Command not found"* ]] \
        && out2="$(printf 'bundle:list -s --no-format\n' | KARAF_ETC="$(client_etc)" "$HOME_DIR/bin/client" -r 1 -d 1 -b 2>&1)" \
        && grep -q 'org\.roamer' <<< "$out2" \
        && ! grep 'org\.roamer' <<< "$out2" | grep -v -q 'Active'; then
      out="roamer:nodes is not available in this build; bundle:list answers:"$'\n'"$(grep 'org\.roamer' <<< "$out2")"
      break
    fi
    if ! is_running; then
      die "Roamer stopped while starting; see $HOME_DIR/data/log/karaf.log"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "$out" >&2
      tail -n 30 "$HOME_DIR/data/log/karaf.log" >&2 || true
      die "the console did not answer within ${START_TIMEOUT}s (Roamer is left running: ./run.sh stop)"
    fi
    sleep 0.5
  done
  local t1
  t1="$(now_ms)"
  if [ "${QUIET_NODES:-false}" != true ]; then
    echo "$out" | grep -v 'JAVA_HOME not set' || true
  fi
  printf 'Roamer started in %d.%03d s (bin/start until the console answered)\n' $(( (t1 - t0) / 1000 )) $(( (t1 - t0) % 1000 ))
}

stop_background() {
  if ! is_running; then
    info "Roamer is not running"
    return 0
  fi
  local pid=""
  [ -f "$HOME_DIR/karaf.pid" ] && pid="$(tr -dc '0-9' < "$HOME_DIR/karaf.pid")"
  "$HOME_DIR/bin/stop" >/dev/null 2>&1 || true
  local deadline=$(( $(date +%s) + 60 ))
  # bin/status turns false once the framework stops; the JVM may still be writing its logs after that,
  # so wait for the process itself (a new unpack right after must not race with it)
  while is_running || { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }; do
    [ "$(date +%s)" -lt "$deadline" ] || die "Roamer did not stop within 60 s (pid file: $HOME_DIR/karaf.pid)"
    sleep 0.5
  done
  info "Roamer stopped"
}

# ---------------------------------------------------------------- a network of containers

NET_DIR="${ROAMER_NETWORK_HOME:-$ROOT/target/network}"
NET_SSH="${ROAMER_NETWORK_SSH:-8110}"
NET_PORT="${ROAMER_NETWORK_PORT:-7200}"
NET_MAX=20

# The containers of the network: ls1, then c1..cN (N from target/network/size).
net_size() { [ -f "$NET_DIR/size" ] && tr -dc '0-9' < "$NET_DIR/size" || echo 0; }
net_directory() { [ -f "$NET_DIR/directory" ] && cat "$NET_DIR/directory" || echo memory; }
net_ls_names() { if [ "$(net_directory)" = zookeeper ]; then echo ls1 ls2 ls3; else echo ls1; fi; }
net_names() {
  local n i
  n="$(net_size)"
  [ "$n" -gt 0 ] || return 0
  for i in $(net_ls_names); do echo "$i"; done
  for (( i = 1; i <= n; i++ )); do echo "c$i"; done
}
# ls1 -> 0, ls2 -> 21, ls3 -> 22, cK -> K: offsets of each container's SSH and node ports
net_index() {
  case "$1" in
    ls1) echo 0 ;;
    ls*) echo $(( NET_MAX + ${1#ls} - 1 )) ;;
    *) echo "${1#c}" ;;
  esac
}
# ZooKeeper member K (ls K): quorum, election and client ports
zk_port() { echo $(( NET_PORT + 100 + 3 * $1 + $2 )); }
zk_members() {
  local k out=""
  for k in 1 2 3; do
    out="$out${out:+,}$k=127.0.0.1:$(zk_port "$k" 0):$(zk_port "$k" 1);$(zk_port "$k" 2)"
  done
  echo "$out"
}
ls_addresses() {
  local name out=""
  for name in $(net_ls_names); do out="$out${out:+,}127.0.0.1:$(( NET_PORT + $(net_index "$name") ))"; done
  echo "$out"
}

# The network's CA and each container's credential (bin/roamer-pki, keytool only), in $NET_DIR/pki: ls* may act as
# Location Servers, cK as the User Signaling Server of cluster cK. Made once; a container's credential when missing.
PKI_SCRIPT="$ROOT/karaf-assembly/src/main/karaf/assembly/bin/roamer-pki"
net_pki() {
  local pki="$NET_DIR/pki" name
  if [ ! -f "$pki/trust.p12" ] || [ ! -f "$pki/ca.p12" ]; then
    rm -rf "$pki" # made part-way before: make it anew
    mkdir -p "$pki"
    chmod 700 "$pki"
    info "making the network's CA in $pki"
    JAVA_HOME="$JAVA_HOME" bash "$PKI_SCRIPT" "$pki" ca >/dev/null || die "could not make the network's CA in $pki"
  fi
  for name in $(net_names); do
    [ -f "$pki/$name.p12" ] && continue
    case "$name" in
      ls*) JAVA_HOME="$JAVA_HOME" bash "$PKI_SCRIPT" "$pki" node "$name" --role location-server >/dev/null ;;
      *) JAVA_HOME="$JAVA_HOME" bash "$PKI_SCRIPT" "$pki" node "$name" --role user-signaling-server --cluster "$name" >/dev/null ;;
    esac || die "could not make the credential of $name in $pki"
  done
}
net_home() { HOME_DIR="$NET_DIR/$1"; STAMP="$HOME_DIR/.roamer-distribution"; }

# container NAME, or the container of a node id (ls1, uss-c2, call-c2, rp-c2-1, conn-c2)
net_resolve() {
  local name="$1"
  case "$name" in
    ls[0-9]|c[0-9]*) ;;
    uss-c*|call-c*|conn-c*) name="${name#*-}" ;;
    rp-c*) name="${name#rp-}"; name="${name%-*}" ;;
    *) die "unknown container or node '$1': containers are $(net_names | tr '\n' ' ')" ;;
  esac
  grep -qx "$name" <<< "$(net_names)" || die "no container '$name' in the network: $(net_names | tr '\n' ' ')"
  echo "$name"
}

set_prop() { # FILE KEY VALUE: replaces 'KEY = ...' or appends it
  local file="$1" key="$2" value="$3"
  if [ -f "$file" ] && grep -q "^${key}[[:space:]]*=" "$file"; then
    sed -i "s|^${key}[[:space:]]*=.*|${key} = ${value}|" "$file"
  else
    printf '%s = %s\n' "$key" "$value" >> "$file"
  fi
}

# Gives an unpacked container its name, ports and only its own nodes.
net_configure() {
  local name="$1" idx ssh etc ls_port port
  idx="$(net_index "$name")"
  ssh=$(( NET_SSH + idx ))
  ls_port="$NET_PORT"
  port=$(( NET_PORT + idx ))
  etc="$HOME_DIR/etc"
  local directory
  directory="$(net_directory)"
  [ "$(cat "$HOME_DIR/.roamer-network-node" 2>/dev/null)" = "$name $ssh $port $directory tls 2" ] && return 0
  rm -f "$etc"/org.roamer.location-*.cfg "$etc"/org.roamer.uss-*.cfg "$etc"/org.roamer.call-*.cfg \
    "$etc"/org.roamer.connection-*.cfg "$etc"/org.roamer.radioport-*.cfg
  set_prop "$etc/system.properties" karaf.name "$name"
  # also as system properties, which Karaf never rewrites: the runtime .cfg below is rewritten by file install at
  # boot (once it was left empty), and these two must not fall back to their single-container defaults
  set_prop "$etc/system.properties" roamer.admin.remote true
  set_prop "$etc/system.properties" roamer.links.authenticated true
  set_prop "$etc/org.apache.karaf.shell.cfg" sshPort "$ssh"
  set_prop "$etc/org.apache.karaf.shell.cfg" sshHost 127.0.0.1
  printf '# Roamer runtime of container %s (a network of containers: consoles command each other)\nadmin.remote = true\n# frames from plaintext links are refused: every node link is mutual TLS with the network CA\nlinks.authenticated = true\n' \
    "$name" > "$etc/org.roamer.runtime.cfg"
  # the container's credential for its node links (and its directory member's)
  mkdir -p "$etc/roamer-tls"
  cp "$NET_DIR/pki/$name.p12" "$etc/roamer-tls/node.p12"
  cp "$NET_DIR/pki/trust.p12" "$etc/roamer-tls/trust.p12"
  chmod 700 "$etc/roamer-tls"
  chmod 600 "$etc/roamer-tls/"*.p12
  ( umask 077; printf '# node links: mutual TLS 1.3, credential etc/roamer-tls/node.p12 (./run.sh network)\npassword = %s\n' \
      "$(cat "$NET_DIR/pki/password")" > "$etc/org.roamer.transport.tls.cfg" )
  # tls instead of tcp (both would listen on the node's TCP port); udp stays, refused by links.authenticated
  sed -i 's|^    roamer-transport-tcp/[^,]*,|    roamer-transport-tls,|' "$etc/org.apache.karaf.features.cfg"
  grep -q 'roamer-transport-tls' "$etc/org.apache.karaf.features.cfg" \
    || die "could not add roamer-transport-tls to the boot features of $name"
  if [[ "$name" == ls* ]]; then
    printf 'node.id = %s\nlisten = 127.0.0.1:%d\ntransport = tls\ndirectory = %s\n' "$name" "$port" "$directory" \
      > "$etc/org.roamer.location-$name.cfg"
    if [ "$directory" = zookeeper ]; then
      {
        echo "# the location directory: member ${name#ls} of the network's ZooKeeper ensemble (./run.sh network)"
        echo "member.id = ${name#ls}"
        echo "members = $(zk_members)"
        echo "tls.password = $(cat "$NET_DIR/pki/password")"
      } > "$etc/org.roamer.directory.zookeeper.cfg"
      chmod 600 "$etc/org.roamer.directory.zookeeper.cfg"
      grep -q 'roamer-directory-zookeeper' "$etc/org.apache.karaf.features.cfg" \
        || sed -i 's|^\(    roamer-core/[^,]*\), \\$|\1, \\\n    roamer-directory-zookeeper, \\|' "$etc/org.apache.karaf.features.cfg"
      grep -q 'roamer-directory-zookeeper' "$etc/org.apache.karaf.features.cfg" \
        || die "could not add roamer-directory-zookeeper to the boot features of $name"
    fi
  else
    local c="$name"
    cat > "$etc/org.roamer.uss-$c.cfg" <<CFG
# Roamer USS of cluster $c in container $name (./run.sh network)
node.id = uss-$c
cluster = $c
listen = 127.0.0.1:$port
location.server = $(ls_addresses)
transport = tls
strategy.preferred = naive
strategy.order = naive,tern,condor
routing = migrate
# crash recovery: a checkpoint of every live agent each second, agents back from them when the node starts
checkpoint.interval.s = 1
checkpoint.restore.on.start = true
CFG
    printf 'node.id = call-%s\ncluster = %s\n' "$c" "$c" > "$etc/org.roamer.call-$c.cfg"
    printf 'node.id = conn-%s\ncluster = %s\n' "$c" "$c" > "$etc/org.roamer.connection-$c.cfg"
    printf 'node.id = rp-%s-1\ncluster = %s\n' "$c" "$c" > "$etc/org.roamer.radioport-$c-1.cfg"
    printf 'node.id = rp-%s-2\ncluster = %s\n' "$c" "$c" > "$etc/org.roamer.radioport-$c-2.cfg"
  fi
  echo "$name $ssh $port $directory tls 2" > "$HOME_DIR/.roamer-network-node"
}

net_client() { # NAME CMD...: runs console commands in a container
  local name="$1"; shift
  net_home "$name"
  local ssh password
  ssh=$(( NET_SSH + $(net_index "$name") ))
  password="$(read_password)"
  if [ $# -gt 0 ]; then
    printf '%s\n' "$@" | KARAF_ETC="$(client_etc)" uncoloured "$HOME_DIR/bin/client" -a "$ssh" -h 127.0.0.1 \
      -r 3 -d 1 -b
  else
    KARAF_ETC="$(client_etc)" uncoloured "$HOME_DIR/bin/client" -a "$ssh" -h 127.0.0.1 -r 3 -d 1 -b
  fi
}

# the pid of this container's Karaf JVM, only if that process is it (a stale karaf.pid may name a reused pid)
net_pid() {
  local pid
  [ -f "$HOME_DIR/karaf.pid" ] || return 0
  pid="$(tr -dc '0-9' < "$HOME_DIR/karaf.pid")"
  local home
  home="$(cd "$HOME_DIR" && pwd -P)"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$home" && echo "$pid"
  return 0
}

network() {
  local sub="${1:-}"
  [ $# -gt 0 ] && shift
  case "$sub" in
    start)
      local n=3 directory="" arg
      while [ $# -gt 0 ]; do
        arg="$1"; shift
        case "$arg" in
          --directory) [ $# -gt 0 ] || die "--directory needs memory or zookeeper"; directory="$1"; shift ;;
          --directory=*) directory="${arg#--directory=}" ;;
          [0-9]*) n="$arg" ;;
          *) die "network start [N] [--directory memory|zookeeper]: unknown argument '$arg'" ;;
        esac
      done
      [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$NET_MAX" ] \
        || die "network start N: N is the number of USS containers, 1 to $NET_MAX (got '$n')"
      case "${directory:-}" in
        ""|memory|zookeeper) ;;
        *) die "--directory $directory: memory or zookeeper" ;;
      esac
      local old
      old="$(net_size)"
      if $FRESH && [ "$old" -gt 0 ]; then
        for name in $(net_names); do net_home "$name"; is_running && die "container $name is running: ./run.sh network stop first"; done
        info "discarding the network in $NET_DIR (--fresh)"
        rm -rf "$NET_DIR"
        old=0
      fi
      if [ "$old" -gt 0 ] && [ "$old" != "$n" ]; then
        die "a network of $old USS container(s) exists in $NET_DIR: ./run.sh network stop, then ./run.sh --fresh network start $n"
      fi
      if [ "$old" -gt 0 ] && [ -n "$directory" ] && [ "$directory" != "$(net_directory)" ]; then
        die "the network in $NET_DIR uses the $(net_directory) directory: ./run.sh network stop, then ./run.sh --fresh network start $n --directory $directory"
      fi
      mkdir -p "$NET_DIR"
      echo "$n" > "$NET_DIR/size"
      [ "$old" -gt 0 ] || echo "${directory:-memory}" > "$NET_DIR/directory"
      net_pki
      # one password for the whole network: the one already there, ROAMER_PASSWORD, or a new one
      local password="${ROAMER_PASSWORD:-}"
      local generated=false
      if [ -z "$password" ] && [ -d "$NET_DIR/ls1/client/etc" ]; then
        net_home ls1; password="$(read_password)"
      fi
      [ -n "$password" ] || { password="$(random_password)"; generated=true; }
      local name started=() t0
      for name in $(net_names); do
        net_home "$name"
        ROAMER_PORT_BASE= ROAMER_PASSWORD="$password" prepare
        net_configure "$name"
        if is_running; then
          info "container $name is already running"
        else
          "$HOME_DIR/bin/start"
          started+=("$name")
        fi
      done
      t0="$(now_ms)"
      for name in "${started[@]}"; do
        net_home "$name"
        info "container $name: waiting for its console ..."
        QUIET_NODES=true wait_console "$t0" | sed "s/^Roamer started/container $name started/"
      done
      echo "Network of $(net_names | wc -l) containers in $NET_DIR ($(net_directory) directory); console user '$USER_NAME'"
      if $generated; then
        echo "  generated console password (every container; kept in $NET_DIR/<container>/client/etc, mode 600): $password"
      fi
      echo "  ./run.sh network client c1 'roamer:nodes'      ./run.sh network status      ./run.sh network stop"
      # every USS has said HELLO once the LS lists it
      local deadline=$(( $(date +%s) + 60 )) out
      while :; do
        out="$(net_client ls1 'roamer:nodes' 2>&1 || true)"
        [ "$(grep -c '| USS ' <<< "$out")" -ge "$n" ] && break
        [ "$(date +%s)" -lt "$deadline" ] || { echo "$out"; die "not every USS joined the Location Server within 60 s"; }
        sleep 1
      done
      echo "$out"
      ;;
    status)
      [ "$(net_size)" -gt 0 ] || { echo "no network in $NET_DIR (./run.sh network start 3)"; exit 3; }
      local name running=0 total=0 line
      printf '%-10s %-12s %-8s %-9s %s\n' Container State PID SSH Home
      for name in $(net_names); do
        net_home "$name"
        total=$(( total + 1 ))
        if is_running; then state=running; running=$(( running + 1 )); else state=stopped; fi
        printf '%-10s %-12s %-8s %-9s %s\n' "$name" "$state" "$(net_pid)" "$(( NET_SSH + $(net_index "$name") ))" "$HOME_DIR"
      done
      echo "$running of $total containers running"
      [ "$running" -eq "$total" ] || exit 3
      ;;
    client)
      [ $# -ge 1 ] || die "network client NAME CMD...: name a container (ls1, c1, ...) or a node"
      local name
      name="$(net_resolve "$1")"; shift
      net_home "$name"
      is_running || die "container $name is not running: ./run.sh network start"
      if [ $# -eq 0 ] && [ -t 0 ]; then
        die "no commands: ./run.sh network client $name 'roamer:nodes' ..., or pipe commands on standard input"
      fi
      net_client "$name" "$@"
      ;;
    kill)
      [ $# -eq 1 ] || die "network kill NAME: name one container"
      local name pid
      name="$(net_resolve "$1")"
      net_home "$name"
      pid="$(net_pid)"
      { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || die "container $name is not running"
      kill -9 "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
      echo "killed container $name (pid $pid) with SIGKILL"
      ;;
    stop)
      [ "$(net_size)" -gt 0 ] || { info "no network in $NET_DIR: nothing to stop"; exit 0; }
      local name pid pids=() names=()
      for name in $(net_names); do
        net_home "$name"
        pid="$(net_pid)"
        if is_running || { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }; then
          "$HOME_DIR/bin/stop" >/dev/null 2>&1 || true
          pids+=("$pid"); names+=("$name")
        fi
      done
      [ ${#names[@]} -gt 0 ] || { info "no container of the network is running"; exit 0; }
      local i deadline=$(( $(date +%s) + 60 ))
      for i in "${!names[@]}"; do
        pid="${pids[$i]}"
        while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
          if [ "$(date +%s)" -ge "$deadline" ]; then
            info "container ${names[$i]} did not stop within 60 s: killing it (pid $pid)"
            kill -9 "$pid" 2>/dev/null || true
          fi
          sleep 0.5
        done
        info "container ${names[$i]} stopped"
      done
      ;;
    ""|-h|--help|help) usage; exit 0 ;;
    *) die "unknown network command '$sub': start, status, client, kill, stop (see ./run.sh --help)" ;;
  esac
}

# ---------------------------------------------------------------- main

find_java
case "$COMMAND" in
  network)
    network "${ARGS[@]}"
    ;;
  console)
    prepare
    is_running && die "Roamer is already running in the background: ./run.sh client ..., or ./run.sh stop first"
    print_credentials
    echo "Starting Roamer with its console (type 'shutdown' or Ctrl-D to stop) ..."
    cd "$HOME_DIR"
    exec bin/karaf
    ;;
  start)
    prepare
    print_credentials
    start_background
    ;;
  client)
    [ -d "$HOME_DIR/bin" ] || die "Roamer is not unpacked yet: ./run.sh start"
    is_running || die "Roamer is not running: ./run.sh start"
    if [ ${#ARGS[@]} -eq 0 ] && [ -t 0 ]; then
      die "no commands: ./run.sh client 'bundle:list' ..., or pipe commands on standard input"
    fi
    apply_password_override
    client "${ARGS[@]}"
    ;;
  stop)
    [ -d "$HOME_DIR/bin" ] || { info "Roamer is not unpacked: nothing to stop"; exit 0; }
    stop_background
    ;;
  status)
    if is_running; then echo "Roamer is running from $HOME_DIR"; else echo "Roamer is not running"; exit 3; fi
    ;;
  password)
    [ -d "$HOME_DIR/etc" ] || die "Roamer is not unpacked yet: ./run.sh start"
    apply_password_override
    [ -n "$(read_password)" ] || die "no '$USER_NAME' user in $(client_etc)/users.properties: ./run.sh --fresh start"
    print_credentials show
    ;;
esac
