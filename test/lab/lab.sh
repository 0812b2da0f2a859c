#!/usr/bin/env bash
# The HPC Geo test lab: a real single-node Slurm with accounting and two real OpenSSH servers,
# all on loopback, for the integration and end-to-end tests and the demo.
#
#   test/lab/lab.sh up        start everything (installs Debian packages when root and missing);
#                             idempotent; prints the connection facts as JSON on stdout
#   test/lab/lab.sh facts     print the facts of a running lab
#   test/lab/lab.sh status    exit 0 when every daemon of the lab is alive
#   test/lab/lab.sh down      stop every daemon and delete the state folder
#   test/lab/lab.sh down --keep-state   stop, but keep the state folder
#
# State lives in one folder: $HPC_GEO_LAB_DIR, default .lab/ at the repository root.
# Exit codes: 0 ok, 3 the lab cannot run on this machine (not root, not Debian), 1 other failure.
# Progress goes to stderr; only the facts go to stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
STATE=${HPC_GEO_LAB_DIR:-$repo/.lab}
LAB_USER=${HPC_GEO_LAB_USER:-hpcgeo}
# Users whose login shell is not POSIX (remote commands must not depend on the login shell).
LAB_TCSH_USER=${LAB_USER}-tcsh
LAB_FISH_USER=${LAB_USER}-fish
LAB_ACCOUNT=geo
CLUSTER=hpcgeo-lab
PORT_SSH=${HPC_GEO_LAB_SSH_PORT:-22220}
PORT_SSH_TOTP=${HPC_GEO_LAB_TOTP_PORT:-22221}
PORT_MYSQL=${HPC_GEO_LAB_MYSQL_PORT:-33306}
PORT_CTLD=${HPC_GEO_LAB_SLURMCTLD_PORT:-16817}
PORT_SLURMD=${HPC_GEO_LAB_SLURMD_PORT:-16818}
PORT_DBD=${HPC_GEO_LAB_SLURMDBD_PORT:-16819}
PAM_SERVICE=hpcgeo-lab-totp
PACKAGES=(slurm-wlm slurmdbd munge mariadb-server mariadb-client openssh-server openssh-client
          libpam-google-authenticator oathtool procps tcsh fish)
NODE=$(hostname -s)

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }
cannot() { printf 'lab: cannot run here: %s\n' "$*" >&2; exit 3; }

# Wait until a command succeeds, with a deadline in seconds.
wait_for() {
  local what=$1 deadline=$2; shift 2
  local end=$((SECONDS + deadline))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || die "$what did not come up within ${deadline}s (logs in $STATE/log and $STATE/mysql)"
    sleep 0.3
  done
}

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Before starting a daemon: its port must be free, or a daemon of another lab answers in its place.
ensure_port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "port $1 ($2) is taken by another process; stop it, or choose other ports (HPC_GEO_LAB_*_PORT)"
  fi
}

check_machine() {
  [[ $(id -u) -eq 0 ]] || cannot "it must run as root (it starts slurmctld, slurmd and sshd)"
  [[ -f /etc/debian_version ]] || cannot "it needs Debian's packages (no /etc/debian_version)"
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing Debian packages: ${missing[*]}"
  # No init system runs here: keep the packages' maintainer scripts from starting services.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  ((created_policy)) && rm -f "$policy"
  return 0
}

ensure_user() {
  local user=$1 shell=$2
  if ! id "$user" >/dev/null 2>&1; then
    log "creating user $user (login shell $shell)"
    useradd --create-home --shell "$shell" "$user"
  fi
  [[ $(getent passwd "$user" | cut -d: -f7) == "$shell" ]] || usermod --shell "$shell" "$user"
  # sshd refuses key logins to a locked account ('!'); '*' means no password but not locked.
  usermod -p '*' "$user"
}

# The lab user's keys may log in as $1 as well (same authorized_keys).
authorize_keys() {
  local user=$1 home
  home=$(getent passwd "$user" | cut -d: -f6)
  install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
  cat "$STATE/keys/id_ed25519.pub" "$STATE/keys/id_ed25519_enc.pub" "$STATE/keys/id_rsa.pub" >"$home/.ssh/authorized_keys"
  chown "$user:$user" "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"
}

ensure_keys() {
  mkdir -p "$STATE/keys" "$STATE/sshd"
  chmod 700 "$STATE/keys" "$STATE/sshd"
  [[ -f $STATE/keys/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C "$LAB_USER@hpc-geo-lab" -f "$STATE/keys/id_ed25519"
  # An encrypted key, for the passphrase path of the SSH layer.
  [[ -f $STATE/keys/passphrase ]] || head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$STATE/keys/passphrase"
  [[ -f $STATE/keys/id_ed25519_enc ]] || ssh-keygen -q -t ed25519 -N "$(cat "$STATE/keys/passphrase")" \
    -C "$LAB_USER-enc@hpc-geo-lab" -f "$STATE/keys/id_ed25519_enc"
  [[ -f $STATE/keys/id_rsa ]] || ssh-keygen -q -t rsa -b 3072 -N '' -C "$LAB_USER-rsa@hpc-geo-lab" -f "$STATE/keys/id_rsa"
  local k
  for k in host_ed25519 host_totp_ed25519; do
    [[ -f $STATE/sshd/$k ]] || ssh-keygen -q -t ed25519 -N '' -f "$STATE/sshd/$k"
  done
  local home u
  for u in "$LAB_USER" "$LAB_TCSH_USER" "$LAB_FISH_USER"; do authorize_keys "$u"; done
  home=$(getent passwd "$LAB_USER" | cut -d: -f6)

  # TOTP secret for the second sshd (RFC 4648 base32, 80 bits, like google-authenticator makes).
  if [[ ! -f $STATE/keys/totp_secret ]]; then
    head -c 10 /dev/urandom | base32 | tr -d '=' >"$STATE/keys/totp_secret"
  fi
  # No DISALLOW_REUSE and no RATE_LIMIT: tests log in several times within one 30 s step.
  printf '%s\n" TOTP_AUTH\n" WINDOW_SIZE 3\n' "$(cat "$STATE/keys/totp_secret")" >"$home/.google_authenticator"
  chown "$LAB_USER:$LAB_USER" "$home/.google_authenticator"
  chmod 400 "$home/.google_authenticator"
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  log "starting munged"
  [[ -f /etc/munge/munge.key ]] || { mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || create-munge-key -f; }
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  chmod 755 /run/munge
  su -s /bin/sh munge -c '/usr/sbin/munged' >&2 || true
  wait_for munged 15 sh -c 'munge -n | unmunge'
}

mysql_cli() { mariadb --protocol=socket --socket="$STATE/mysql/mysqld.sock" -uroot "$@"; }

start_mariadb() {
  local dir=$STATE/mysql
  mkdir -p "$dir"
  if ! pid_alive "$dir/mysqld.pid"; then
    if [[ ! -d $dir/data/mysql ]]; then
      log "initialising MariaDB in $dir/data"
      mkdir -p "$dir/data"; chown -R mysql:mysql "$dir"
      mariadb-install-db --user=mysql --datadir="$dir/data" --auth-root-authentication-method=socket \
        --skip-test-db >"$STATE/log/mariadb-install.log" 2>&1 || die "mariadb-install-db failed (see $STATE/log/mariadb-install.log)"
    fi
    chown -R mysql:mysql "$dir"
    ensure_port_free "$PORT_MYSQL" MariaDB
    log "starting MariaDB on 127.0.0.1:$PORT_MYSQL"
    # mysqld_safe keeps the server running; it is a child of this shell, detached with setsid.
    setsid mysqld_safe --no-defaults --user=mysql --datadir="$dir/data" --socket="$dir/mysqld.sock" \
      --pid-file="$dir/mysqld.pid" --port="$PORT_MYSQL" --bind-address=127.0.0.1 \
      --log-error="$dir/mariadb.log" </dev/null >/dev/null 2>&1 &
  fi
  wait_for MariaDB 60 mysql_cli -e 'select 1'
  [[ -f $STATE/keys/db_password ]] || head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$STATE/keys/db_password"
  local pw; pw=$(cat "$STATE/keys/db_password")
  mysql_cli <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
SQL
}

write_slurm_conf() {
  local etc=$STATE/etc s=$STATE/slurm
  mkdir -p "$etc" "$s/state" "$s/spool"
  cat >"$etc/slurm.conf" <<CONF
# Written by test/lab/lab.sh: a single-node Slurm on loopback for HPC Geo's tests.
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT_CTLD
SlurmdPort=$PORT_SLURMD
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
ReturnToService=2
SlurmdParameters=config_overrides
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=2
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$PORT_DBD
JobCompType=jobcomp/none
MaxArraySize=2001
MinJobAge=300
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=8 RealMemory=8000 State=UNKNOWN
PartitionName=normal Nodes=$NODE Default=YES MaxTime=2-00:00:00 State=UP
PartitionName=long Nodes=$NODE MaxTime=7-00:00:00 State=UP
CONF
  cat >"$etc/slurmdbd.conf" <<CONF
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$PORT_DBD
SlurmUser=root
PidFile=$s/slurmdbd.pid
LogFile=$STATE/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$PORT_MYSQL
StorageUser=slurm
StoragePass=$(cat "$STATE/keys/db_password")
StorageLoc=slurm_acct_db
CONF
  chmod 600 "$etc/slurmdbd.conf"
  chmod 644 "$etc/slurm.conf"
  # Clients on this machine (the "local" cluster, a terminal in the demo) find the lab's Slurm
  # at the standard place; an existing configuration that is not ours is left alone.
  mkdir -p /etc/slurm
  if [[ ! -e /etc/slurm/slurm.conf || -L /etc/slurm/slurm.conf ]]; then
    ln -sfn "$etc/slurm.conf" /etc/slurm/slurm.conf
  fi
}

slurm() { SLURM_CONF=$STATE/etc/slurm.conf "$@"; }

start_slurm() {
  local s=$STATE/slurm
  if ! pid_alive "$s/slurmdbd.pid"; then
    ensure_port_free "$PORT_DBD" slurmdbd
    log "starting slurmdbd on 127.0.0.1:$PORT_DBD"
    SLURM_CONF=$STATE/etc/slurm.conf slurmdbd -s 2>>"$STATE/log/slurmdbd.stderr" || true
  fi
  # slurmdbd reads slurmdbd.conf next to slurm.conf.
  wait_for slurmdbd 60 slurm sacctmgr -n list cluster
  if ! slurm sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER"; then
    slurm sacctmgr -i add cluster "$CLUSTER" >&2
  fi
  if ! slurm sacctmgr -n -P list account format=account | grep -qx "$LAB_ACCOUNT"; then
    slurm sacctmgr -i add account "$LAB_ACCOUNT" Description="HPC Geo lab" Organization=hpcgeo >&2
  fi
  if ! slurm sacctmgr -n -P list user format=user | grep -qx "$LAB_USER"; then
    slurm sacctmgr -i add user "$LAB_USER" account="$LAB_ACCOUNT" >&2
  fi
  if ! pid_alive "$s/slurmctld.pid"; then
    ensure_port_free "$PORT_CTLD" slurmctld
    log "starting slurmctld on 127.0.0.1:$PORT_CTLD"
    SLURM_CONF=$STATE/etc/slurm.conf slurmctld 2>>"$STATE/log/slurmctld.stderr"
  fi
  wait_for slurmctld 60 slurm scontrol ping
  if ! pid_alive "$s/slurmd.pid"; then
    ensure_port_free "$PORT_SLURMD" slurmd
    log "starting slurmd"
    SLURM_CONF=$STATE/etc/slurm.conf slurmd 2>>"$STATE/log/slurmd.stderr"
  fi
  wait_for "node $NODE" 60 sh -c "SLURM_CONF='$STATE/etc/slurm.conf' sinfo -h -n '$NODE' -o '%t' | grep -Eq '^(idle|mix|alloc)'"
}

write_sshd_conf() {
  # $1 name, $2 port, $3 host key, $4 extra lines; a running sshd rereads a changed file (reload_sshd)
  local conf=$STATE/sshd/$1.conf before=
  [[ -f $conf ]] && before=$(cat "$conf")
  cat >"$conf" <<CONF
ListenAddress 127.0.0.1
Port $2
HostKey $STATE/sshd/$3
PidFile $STATE/sshd/$1.pid
AllowUsers $LAB_USER $LAB_TCSH_USER $LAB_FISH_USER
PubkeyAuthentication yes
PasswordAuthentication no
PermitRootLogin no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
MaxSessions 64
MaxStartups 50:30:100
SetEnv SLURM_CONF=$STATE/etc/slurm.conf
Subsystem sftp internal-sftp
LogLevel VERBOSE
$4
CONF
  [[ -z $before || $before == "$(cat "$conf")" ]] || SSHD_CHANGED+=("$1")
}

# A running sshd whose configuration changed (new lab users) rereads it: SIGHUP, and it re-executes
# itself (a new pid in the same pid file) on the same port, without dropping open sessions.
reload_sshd() {
  local name=$1 port=$2 lines
  pid_alive "$STATE/sshd/$name.pid" || return 0
  lines=$(wc -l <"$STATE/log/sshd-$name.log")
  log "sshd ($name): configuration changed, reloading"
  kill -HUP "$(cat "$STATE/sshd/$name.pid")"
  wait_for "sshd ($name) after its reload" 15 sshd_reloaded "$name" "$lines" "$port"
}

# The reloaded sshd logged that it listens again (after line $2 of its log), and it answers.
sshd_reloaded() {
  tail -n "+$(($2 + 1))" "$STATE/log/sshd-$1.log" | grep -q "Server listening" && pid_alive "$STATE/sshd/$1.pid" && (exec 3<>"/dev/tcp/127.0.0.1/$3")
}

start_sshd() {
  mkdir -p /run/sshd; chmod 755 /run/sshd
  SSHD_CHANGED=()
  write_sshd_conf key "$PORT_SSH" host_ed25519 $'UsePAM no\nKbdInteractiveAuthentication no\nAuthenticationMethods publickey'
  write_sshd_conf totp "$PORT_SSH_TOTP" host_totp_ed25519 $'UsePAM yes\nKbdInteractiveAuthentication yes\nAuthenticationMethods publickey,keyboard-interactive'
  # OpenSSH 9.2 has no PAMServiceName: the PAM service is the name sshd runs under.
  cat >/etc/pam.d/$PAM_SERVICE <<'PAM'
# HPC Geo lab: a one-time code after the key, like the NRIS clusters.
auth     required pam_google_authenticator.so
account  required pam_permit.so
session  required pam_permit.so
PAM
  mkdir -p "$STATE/bin"
  ln -sfn "$(command -v sshd)" "$STATE/bin/$PAM_SERVICE"
  local n
  for n in "${SSHD_CHANGED[@]}"; do reload_sshd "$n" "$([[ $n == key ]] && echo "$PORT_SSH" || echo "$PORT_SSH_TOTP")"; done
  if ! pid_alive "$STATE/sshd/key.pid"; then
    ensure_port_free "$PORT_SSH" sshd
    log "starting sshd (key only) on 127.0.0.1:$PORT_SSH"
    "$(command -v sshd)" -f "$STATE/sshd/key.conf" -E "$STATE/log/sshd-key.log"
  fi
  if ! pid_alive "$STATE/sshd/totp.pid"; then
    ensure_port_free "$PORT_SSH_TOTP" "sshd (one-time code)"
    log "starting sshd (key + one-time code) on 127.0.0.1:$PORT_SSH_TOTP"
    "$STATE/bin/$PAM_SERVICE" -f "$STATE/sshd/totp.conf" -E "$STATE/log/sshd-totp.log"
  fi
  wait_for "sshd :$PORT_SSH" 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_SSH"
  wait_for "sshd :$PORT_SSH_TOTP" 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_SSH_TOTP"
}

host_key_line() { printf '[127.0.0.1]:%s %s\n' "$1" "$(cut -d' ' -f1,2 "$STATE/sshd/$2.pub")"; }

facts() {
  [[ -f $STATE/etc/slurm.conf ]] || die "no lab in $STATE (run: test/lab/lab.sh up)"
  local home; home=$(getent passwd "$LAB_USER" | cut -d: -f6)
  host_key_line "$PORT_SSH" host_ed25519 >"$STATE/known_hosts"
  host_key_line "$PORT_SSH_TOTP" host_totp_ed25519 >>"$STATE/known_hosts"
  cat <<JSON
{
  "stateDir": "$STATE",
  "host": "127.0.0.1",
  "user": "$LAB_USER",
  "shellUsers": { "bash": "$LAB_USER", "tcsh": "$LAB_TCSH_USER", "fish": "$LAB_FISH_USER" },
  "home": "$home",
  "account": "$LAB_ACCOUNT",
  "cluster": "$CLUSTER",
  "node": "$NODE",
  "partitions": ["normal", "long"],
  "ssh": { "port": $PORT_SSH, "hostKey": "$STATE/sshd/host_ed25519.pub" },
  "totp": { "port": $PORT_SSH_TOTP, "hostKey": "$STATE/sshd/host_totp_ed25519.pub", "secret": "$(cat "$STATE/keys/totp_secret")" },
  "keys": {
    "private": "$STATE/keys/id_ed25519",
    "public": "$STATE/keys/id_ed25519.pub",
    "encrypted": "$STATE/keys/id_ed25519_enc",
    "passphrase": "$(cat "$STATE/keys/passphrase")",
    "rsa": "$STATE/keys/id_rsa"
  },
  "knownHosts": "$STATE/known_hosts",
  "slurmConf": "$STATE/etc/slurm.conf",
  "slurmVersion": "$(slurm sinfo -V 2>/dev/null | awk '{print $2}')",
  "logs": "$STATE/log"
}
JSON
}

status() {
  local p ok=0
  for p in slurm/slurmdbd.pid slurm/slurmctld.pid slurm/slurmd.pid sshd/key.pid sshd/totp.pid mysql/mysqld.pid; do
    if pid_alive "$STATE/$p"; then log "up:   $p"; else log "down: $p"; ok=1; fi
  done
  return $ok
}

up() {
  check_machine
  install_packages
  mkdir -p "$STATE/log"
  chmod 755 "$STATE"
  ensure_user "$LAB_USER" /bin/bash
  ensure_user "$LAB_TCSH_USER" /usr/bin/tcsh
  ensure_user "$LAB_FISH_USER" /usr/bin/fish
  ensure_keys
  start_munge
  start_mariadb
  write_slurm_conf
  start_slurm
  start_sshd
  facts | tee "$STATE/facts.json"
  log "ready"
}

stop_pid() {
  local f=$1 name=$2 pid
  pid_alive "$f" || return 0
  pid=$(cat "$f")
  log "stopping $name ($pid)"
  kill "$pid" 2>/dev/null || true
  local end=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

down() {
  local keep=0
  [[ ${1:-} == --keep-state ]] && keep=1
  [[ -d $STATE ]] || { log "no lab in $STATE"; return 0; }
  stop_pid "$STATE/sshd/key.pid" "sshd (key only)"
  stop_pid "$STATE/sshd/totp.pid" "sshd (one-time code)"
  if [[ -f $STATE/etc/slurm.conf ]]; then
    # Jobs of the lab user would otherwise outlive slurmd.
    slurm scancel -u "$LAB_USER" 2>/dev/null || true
  fi
  stop_pid "$STATE/slurm/slurmd.pid" slurmd
  stop_pid "$STATE/slurm/slurmctld.pid" slurmctld
  stop_pid "$STATE/slurm/slurmdbd.pid" slurmdbd
  if pid_alive "$STATE/mysql/mysqld.pid"; then
    mysql_cli -e 'SHUTDOWN' 2>/dev/null || stop_pid "$STATE/mysql/mysqld.pid" MariaDB
    local end=$((SECONDS + 30))
    while pid_alive "$STATE/mysql/mysqld.pid" && ((SECONDS < end)); do sleep 0.3; done
  fi
  [[ -L /etc/slurm/slurm.conf && $(readlink /etc/slurm/slurm.conf) == "$STATE/etc/slurm.conf" ]] && rm -f /etc/slurm/slurm.conf
  rm -f "/etc/pam.d/$PAM_SERVICE"
  if ((keep)); then log "stopped; state kept in $STATE"; else rm -rf "$STATE"; log "stopped and removed $STATE"; fi
}

case ${1:-} in
  up) up ;;
  facts) facts ;;
  status) status ;;
  down) shift; down "$@" ;;
  *) echo "usage: $0 up | facts | status | down [--keep-state]" >&2; exit 2 ;;
esac
