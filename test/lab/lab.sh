#!/usr/bin/env bash
# The HPC Geo test lab: a real single-node Slurm with accounting and real OpenSSH servers (key
# only; key + one-time code; one-time code + password; a talking login node), all on loopback,
# for the integration and end-to-end tests and the demo.
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
# Which Slurm (issue 12): 22.05 is this machine's Debian 12; 24.11 is Debian 13's, run in a Debian 13
# root made with mmdebstrap from Debian's packages and kept outside the clone (HPC_GEO_LAB_ROOT),
# where this same script runs again (HPC_GEO_LAB_IN_ROOT=1) on ports of its own (each +100).
SLURM_FLAVOUR=${HPC_GEO_LAB_SLURM:-22.05}
case $SLURM_FLAVOUR in
  22.05) OFF=0; STATE=${HPC_GEO_LAB_DIR:-$repo/.lab} ;;
  # HPC_GEO_LAB_DIR names the 22.05 lab's folder; this one is beside it, with -24.11 (inside the
  # root it is passed as it is)
  24.11)
    OFF=100
    if [[ -n ${HPC_GEO_LAB_IN_ROOT:-} ]]; then STATE=$HPC_GEO_LAB_DIR
    elif [[ -n ${HPC_GEO_LAB_DIR:-} ]]; then STATE=$HPC_GEO_LAB_DIR-24.11
    else STATE=$repo/.lab-24.11; fi ;;
  *) echo "lab: error: HPC_GEO_LAB_SLURM is 22.05 or 24.11, not $SLURM_FLAVOUR" >&2; exit 2 ;;
esac
ROOT=${HPC_GEO_LAB_ROOT:-/var/cache/hpc-geo-lab/debian13-slurm24.11}
LAB_USER=${HPC_GEO_LAB_USER:-hpcgeo}
# Users whose login shell is not POSIX (remote commands must not depend on the login shell).
LAB_TCSH_USER=${LAB_USER}-tcsh
LAB_FISH_USER=${LAB_USER}-fish
# Logins as they are on real clusters (issue 12): a password and then a one-time code; a login
# node whose Banner and whose user's ~/.bashrc print text; Slurm on PATH only through /etc/profile.d.
LAB_PASSWORD_USER=${LAB_USER}-pass
LAB_NOISY_USER=${LAB_USER}-noisy
LAB_OPT_USER=${LAB_USER}-opt
LAB_ACCOUNT=geo
CLUSTER=hpcgeo-lab
PORT_SSH=${HPC_GEO_LAB_SSH_PORT:-$((22220 + OFF))}
PORT_SSH_TOTP=${HPC_GEO_LAB_TOTP_PORT:-$((22221 + OFF))}
PORT_SSH_PASSWORD=${HPC_GEO_LAB_PASSWORD_PORT:-$((22222 + OFF))}
PORT_SSH_NOISY=${HPC_GEO_LAB_NOISY_PORT:-$((22223 + OFF))}
PORT_MYSQL=${HPC_GEO_LAB_MYSQL_PORT:-$((33306 + OFF))}
PORT_CTLD=${HPC_GEO_LAB_SLURMCTLD_PORT:-$((16817 + OFF))}
PORT_SLURMD=${HPC_GEO_LAB_SLURMD_PORT:-$((16818 + OFF))}
PORT_DBD=${HPC_GEO_LAB_SLURMDBD_PORT:-$((16819 + OFF))}
# Four more nodes, shaped like Betzy's (partition wide: at least 4 whole nodes), each its own slurmd
# (Debian's Slurm is built with MULTIPLE_SLURMD) on a loopback address and port of its own.
WIDE_NODES=(geo01 geo02 geo03 geo04)
PORT_WIDE_BASE=${HPC_GEO_LAB_NODE_PORT_BASE:-$((16830 + OFF))}
wide_addr() { echo "127.0.0.$((10 + $1))"; }
HOSTS_MARK="# hpc-geo-lab node"
PAM_SERVICE=hpcgeo-lab-totp
PAM_PASSWORD_SERVICE=hpcgeo-lab-password
# Slurm "installed under /opt" for $LAB_OPT_USER: a profile script that only login shells read.
PROFILE_SCRIPT=/etc/profile.d/hpcgeo-lab-slurm.sh
PACKAGES=(slurm-wlm slurmdbd munge mariadb-server mariadb-client openssh-server openssh-client
          libpam-google-authenticator oathtool procps tcsh fish)
# In the Debian 13 root the tests' cluster-side helpers come from Debian too (here they are the machine's).
ROOT_PACKAGES=("${PACKAGES[@]}" python3 nodejs)
[[ -n ${HPC_GEO_LAB_IN_ROOT:-} ]] && PACKAGES=("${ROOT_PACKAGES[@]}")
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

# The Debian packages named (default: PACKAGES) that are missing, installed.
install_packages() {
  local missing=() p want=("$@")
  ((${#want[@]})) || want=("${PACKAGES[@]}")
  for p in "${want[@]}"; do
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
  # (A password set later, for the password user, stays.)
  [[ $(getent shadow "$user" | cut -d: -f2) != '!'* ]] || usermod -p '*' "$user"
}

# The lab user's keys may log in as $1 as well (same authorized_keys).
authorize_keys() {
  local user=$1 home
  home=$(getent passwd "$user" | cut -d: -f6)
  install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
  # Added to what is there: a second lab on this machine (another HPC_GEO_LAB_DIR) logs in as the
  # same users with keys of its own, and neither may lock the other out. lab.sh down takes its own out.
  touch "$home/.ssh/authorized_keys"
  local keys; keys=$(cat "$home/.ssh/authorized_keys" "$STATE/keys/id_ed25519.pub" "$STATE/keys/id_ed25519_enc.pub" "$STATE/keys/id_rsa.pub" | awk 'NF && !seen[$0]++')
  printf '%s\n' "$keys" >"$home/.ssh/authorized_keys"
  chown "$user:$user" "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"
}

# This lab's keys out of its users' authorized_keys (other labs' stay).
unauthorize_keys() {
  local u home f k
  for u in "$LAB_USER" "$LAB_TCSH_USER" "$LAB_FISH_USER" "$LAB_NOISY_USER" "$LAB_OPT_USER"; do
    home=$(getent passwd "$u" | cut -d: -f6) || continue
    f=$home/.ssh/authorized_keys
    [[ -f $f ]] || continue
    for k in "$STATE/keys/id_ed25519.pub" "$STATE/keys/id_ed25519_enc.pub" "$STATE/keys/id_rsa.pub"; do
      [[ -f $k ]] && { grep -vxF -f "$k" "$f" >"$f.new" || true; cat "$f.new" >"$f"; rm -f "$f.new"; }
    done
  done
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
  for k in host_ed25519 host_totp_ed25519 host_password_ed25519 host_noisy_ed25519; do
    [[ -f $STATE/sshd/$k ]] || ssh-keygen -q -t ed25519 -N '' -f "$STATE/sshd/$k"
  done
  local u
  # The password user has no key: on its sshd a person types both the code and the password.
  for u in "$LAB_USER" "$LAB_TCSH_USER" "$LAB_FISH_USER" "$LAB_NOISY_USER" "$LAB_OPT_USER"; do authorize_keys "$u"; done

  # TOTP secret for the second sshd (RFC 4648 base32, 80 bits, like google-authenticator makes).
  if [[ ! -f $STATE/keys/totp_secret ]]; then
    head -c 10 /dev/urandom | base32 | tr -d '=' >"$STATE/keys/totp_secret"
  fi
  google_authenticator_file "$LAB_USER"
  google_authenticator_file "$LAB_PASSWORD_USER"
  # The password user's password: generated once, set at every start (facts: password.password).
  [[ -f $STATE/keys/user_password ]] || head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$STATE/keys/user_password"
  printf '%s:%s\n' "$LAB_PASSWORD_USER" "$(cat "$STATE/keys/user_password")" | chpasswd
}

# The lab's TOTP secret as $1's ~/.google_authenticator.
google_authenticator_file() {
  local home; home=$(getent passwd "$1" | cut -d: -f6)
  # No DISALLOW_REUSE and no RATE_LIMIT: tests log in several times within one 30 s step.
  printf '%s\n" TOTP_AUTH\n" WINDOW_SIZE 3\n' "$(cat "$STATE/keys/totp_secret")" >"$home/.google_authenticator"
  chown "$1:$1" "$home/.google_authenticator"
  chmod 400 "$home/.google_authenticator"
}

# A login node that talks: a Banner before the login, and a ~/.bashrc that prints in every shell,
# interactive or not (Debian's bash reads ~/.bashrc for a command run by sshd, too).
ensure_noisy_login() {
  local home; home=$(getent passwd "$LAB_NOISY_USER" | cut -d: -f6)
  cat >"$STATE/sshd/banner" <<'TXT'
*************************************************************
  HPC Geo lab login node. Authorised use only.
  Scheduled maintenance: never. Questions: nobody.
*************************************************************
TXT
  cat >"$home/.bashrc" <<'RC'
# HPC Geo lab: a ~/.bashrc without the usual guard for non-interactive shells, as many users have.
echo "Welcome back, $USER! Modules loaded: none (printed by ~/.bashrc)"
RC
  chown "$LAB_NOISY_USER:$LAB_NOISY_USER" "$home/.bashrc"
}

# For $LAB_OPT_USER this machine is a site that installs Slurm under /opt: the PATH sshd gives
# (a folder of links to every command of /usr/bin but Slurm's) has no Slurm, and a script in
# /etc/profile.d, which only login shells read, adds a folder of links to Slurm's commands.
# Nobody else's PATH changes: sshd sets it for that user only, and the script tests the user.
ensure_site_path() {
  local site=$STATE/site pkgs slurm_cmds
  mkdir -p "$site/sysbin" "$site/slurm/bin"
  pkgs=$(dpkg-query -W -f='${Package} ${Status}\n' 'slurm*' | awk '$NF == "installed" { print $1 }')
  # shellcheck disable=SC2086 # one word per package
  slurm_cmds=$(dpkg-query -L $pkgs | grep '^/usr/bin/' | sort -u)
  [[ -n $slurm_cmds ]] || die "no Slurm commands found in /usr/bin (dpkg-query -L $pkgs)"
  # shellcheck disable=SC2086 # one word per command (Debian's command names hold no space)
  ln -sf -t "$site/slurm/bin" $slurm_cmds
  find /usr/bin -mindepth 1 -maxdepth 1 | sort | comm -23 - <(printf '%s\n' "$slurm_cmds") | xargs ln -sf -t "$site/sysbin"
  cat >"$PROFILE_SCRIPT" <<SH
# Written by HPC Geo's test lab (test/lab/lab.sh up; lab.sh down removes it). For the lab user
# $LAB_OPT_USER only: the site's system PATH has no Slurm (here, links to /usr/bin without it, in
# place of what /etc/profile set), and its Slurm is added by this script, as sites do for /opt/slurm.
if [ "\$(id -un)" = "$LAB_OPT_USER" ]; then
  PATH="$site/sysbin:$site/slurm/bin"
  export PATH
fi
SH
  chmod 644 "$PROFILE_SCRIPT"
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

wide_node_lines() {
  local i
  for i in "${!WIDE_NODES[@]}"; do
    printf 'NodeName=%s NodeAddr=%s Port=%s CPUs=4 RealMemory=4000 State=UNKNOWN\n' "${WIDE_NODES[$i]}" "$(wide_addr $((i + 1)))" $((PORT_WIDE_BASE + i + 1))
  done
}

# The nodes' names resolve on this machine (a port forward to geo02:8000, srun's own lookups).
ensure_hosts() {
  local i line
  for i in "${!WIDE_NODES[@]}"; do
    line="$(wide_addr $((i + 1))) ${WIDE_NODES[$i]} $HOSTS_MARK"
    grep -qxF "$line" /etc/hosts || printf '%s\n' "$line" >>/etc/hosts
  done
  # the login node's own name (a fresh Debian 13 root's /etc/hosts has only localhost)
  getent hosts "$NODE" >/dev/null || printf '127.0.0.1 %s %s\n' "$NODE" "$HOSTS_MARK" >>/etc/hosts
}

# Whether this machine has a cgroup v1 memory controller the lab may make groups in: then Slurm's
# task/cgroup holds each job to its --mem and a job that goes past it ends OUT_OF_MEMORY, as on
# NRIS and LUMI. Without one (cgroup v2 only, read-only) jobs run unconstrained and the lab says so.
memory_cgroup() {
  grep -qE '^cgroup /sys/fs/cgroup/memory cgroup [^ ]*memory' /proc/mounts || return 1
  local probe=/sys/fs/cgroup/memory/hpcgeo-lab-probe.$$
  mkdir "$probe" 2>/dev/null || return 1
  rmdir "$probe"
}

write_slurm_conf() {
  local etc=$STATE/etc s=$STATE/slurm before= task=task/none
  memory_cgroup && task=task/cgroup
  mkdir -p "$etc" "$s/state"
  local n
  for n in "$NODE" "${WIDE_NODES[@]}"; do mkdir -p "$s/spool/$n"; done
  [[ -f $etc/slurm.conf ]] && before=$(cat "$etc/slurm.conf")
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
SlurmdSpoolDir=$s/spool/%n
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd-%n.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=$task
MpiDefault=none
SelectType=select/cons_tres
# Memory is a resource jobs ask for, as at the sites (--mem, or 1000 MB per CPU by default)
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
SchedulerType=sched/backfill
# Preemption by partition tier, for the PREEMPTED ending: a job of urgent cancels one of spot on the
# node they share; nothing else is ever preempted (PreemptMode=OFF on every other partition).
PreemptType=preempt/partition_prio
PreemptMode=CANCEL
# As on NRIS: a job that breaks its partition's limits (wide: at least 4 nodes) is refused at submit.
EnforcePartLimits=ALL
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
NodeName=$NODE NodeAddr=127.0.0.1 Port=$PORT_SLURMD CPUs=8 RealMemory=8000 State=UNKNOWN
$(wide_node_lines)
PartitionName=normal Nodes=$NODE Default=YES MaxTime=2-00:00:00 PreemptMode=OFF State=UP
PartitionName=long Nodes=$NODE MaxTime=7-00:00:00 PreemptMode=OFF State=UP
PartitionName=wide Nodes=$(IFS=,; echo "${WIDE_NODES[*]}") MinNodes=4 OverSubscribe=EXCLUSIVE MaxTime=1-00:00:00 PreemptMode=OFF State=UP
PartitionName=spot Nodes=${WIDE_NODES[3]} PriorityTier=1 PreemptMode=CANCEL MaxTime=1:00:00 State=UP
PartitionName=urgent Nodes=${WIDE_NODES[3]} PriorityTier=2 PreemptMode=OFF MaxTime=1:00:00 State=UP
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
  # Memory held to --mem where the machine allows it (memory_cgroup). Otherwise: Slurm 24.11's slurmd
  # sets up a cgroup plugin even with proctrack/linuxproc and fails where no cgroup filesystem is
  # usable; "disabled" is a value 22.05 does not know.
  if [[ $task == task/cgroup ]]; then printf 'CgroupPlugin=cgroup/v1\nConstrainRAMSpace=yes\n' >"$etc/cgroup.conf"
  elif [[ $SLURM_FLAVOUR == 24.11 ]]; then printf 'CgroupPlugin=disabled\n' >"$etc/cgroup.conf"
  else rm -f "$etc/cgroup.conf"; fi
  # Nodes or partitions changed under a running Slurm (a lab from an older checkout): slurmctld and
  # the slurmd read them only at start, so they start again (jobs are kept in the state files).
  SLURM_CONF_CHANGED=0
  [[ -n $before && $before != "$(cat "$etc/slurm.conf")" ]] && SLURM_CONF_CHANGED=1
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
  if ((SLURM_CONF_CHANGED)); then
    log "slurm.conf changed: restarting slurmctld and slurmd"
    stop_slurm_daemons
  fi
  local u n
  for u in "$LAB_USER" "$LAB_PASSWORD_USER" "$LAB_NOISY_USER" "$LAB_OPT_USER"; do
    if ! slurm sacctmgr -n -P list user format=user | grep -qx "$u"; then
      slurm sacctmgr -i add user "$u" account="$LAB_ACCOUNT" >&2
    fi
  done
  if ! pid_alive "$s/slurmctld.pid"; then
    ensure_port_free "$PORT_CTLD" slurmctld
    log "starting slurmctld on 127.0.0.1:$PORT_CTLD"
    SLURM_CONF=$STATE/etc/slurm.conf slurmctld 2>>"$STATE/log/slurmctld.stderr"
  fi
  wait_for slurmctld 60 slurm scontrol ping
  local i
  start_slurmd "$NODE" "$PORT_SLURMD"
  for i in "${!WIDE_NODES[@]}"; do start_slurmd "${WIDE_NODES[$i]}" $((PORT_WIDE_BASE + i + 1)); done
  for n in "$NODE" "${WIDE_NODES[@]}"; do
    wait_for "node $n" 60 sh -c "SLURM_CONF='$STATE/etc/slurm.conf' sinfo -h -n '$n' -o '%t' | grep -Eq '^(idle|mix|alloc)'"
  done
}

# One slurmd: $1 its node name, $2 its port.
start_slurmd() {
  pid_alive "$STATE/slurm/slurmd-$1.pid" && return 0
  ensure_port_free "$2" "slurmd $1"
  log "starting slurmd $1 on port $2"
  SLURM_CONF=$STATE/etc/slurm.conf slurmd -N "$1" 2>>"$STATE/log/slurmd-$1.stderr"
}

# Everything of Slurm's that runs: slurmd of every node (and of an older lab's single pid file), slurmctld.
stop_slurm_daemons() {
  local n
  for n in "$NODE" "${WIDE_NODES[@]}"; do stop_pid "$STATE/slurm/slurmd-$n.pid" "slurmd $n"; done
  stop_pid "$STATE/slurm/slurmd.pid" slurmd
  stop_pid "$STATE/slurm/slurmctld.pid" slurmctld
}

write_sshd_conf() {
  # $1 name, $2 port, $3 host key, $4 extra lines, $5 the sftp subsystem (default internal-sftp,
  # which runs inside sshd; an sftp-server program is started through the login shell, as on most
  # clusters); a running sshd rereads a changed file (reload_sshd)
  local conf=$STATE/sshd/$1.conf before=
  [[ -f $conf ]] && before=$(cat "$conf")
  cat >"$conf" <<CONF
ListenAddress 127.0.0.1
Port $2
HostKey $STATE/sshd/$3
PidFile $STATE/sshd/$1.pid
AllowUsers $LAB_USER $LAB_TCSH_USER $LAB_FISH_USER $LAB_PASSWORD_USER $LAB_NOISY_USER $LAB_OPT_USER
PubkeyAuthentication yes
PasswordAuthentication no
PermitRootLogin no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
MaxSessions 64
MaxStartups 50:30:100
SetEnv SLURM_CONF=$STATE/etc/slurm.conf
Subsystem sftp ${5:-internal-sftp}
LogLevel VERBOSE
$4
CONF
  [[ -z $before || $before == "$(cat "$conf")" ]] || SSHD_CHANGED+=("$1")
}

# A running sshd whose configuration changed (new lab users) rereads it: SIGHUP, and it re-executes
# itself (a new pid in the same pid file) on the same port, without dropping open sessions.
reload_sshd() {
  local name=$1 port lines
  port=$(sshd_port "$name")
  pid_alive "$STATE/sshd/$name.pid" || return 0
  lines=$(wc -l <"$STATE/log/sshd-$name.log")
  log "sshd ($name): configuration changed, reloading"
  kill -HUP "$(cat "$STATE/sshd/$name.pid")"
  wait_for "sshd ($name) after its reload" 15 sshd_reloaded "$name" "$lines" "$port"
}

# The lab's sshd instances: name, port, and the program it runs as (its PAM service).
SSHD_NAMES=(key totp password noisy)
sshd_port() {
  case $1 in key) echo "$PORT_SSH" ;; totp) echo "$PORT_SSH_TOTP" ;; password) echo "$PORT_SSH_PASSWORD" ;; noisy) echo "$PORT_SSH_NOISY" ;; esac
}
# OpenSSH 9.8 and later (Debian 13) name the PAM service in the configuration (PAMServiceName);
# before (Debian 12's 9.2) it is the name sshd runs under, a link of that name (sshd_program).
has_pam_service_name() { sshd -T -f /dev/null -o "HostKey=$STATE/sshd/host_ed25519" -o PAMServiceName=x >/dev/null 2>&1; }
pam_service_line() { if has_pam_service_name; then printf '\nPAMServiceName %s' "$1"; fi; }
sshd_program() {
  has_pam_service_name && { command -v sshd; return; }
  case $1 in totp) echo "$STATE/bin/$PAM_SERVICE" ;; password) echo "$STATE/bin/$PAM_PASSWORD_SERVICE" ;; *) command -v sshd ;; esac
}
sshd_what() {
  case $1 in key) echo "key only" ;; totp) echo "key + one-time code" ;; password) echo "one-time code + password" ;; noisy) echo "banner, talking ~/.bashrc" ;; esac
}

# The reloaded sshd logged that it listens again (after line $2 of its log), and it answers.
sshd_reloaded() {
  tail -n "+$(($2 + 1))" "$STATE/log/sshd-$1.log" | grep -q "Server listening" && pid_alive "$STATE/sshd/$1.pid" && (exec 3<>"/dev/tcp/127.0.0.1/$3")
}

start_sshd() {
  mkdir -p /run/sshd; chmod 755 /run/sshd
  SSHD_CHANGED=()
  write_sshd_conf key "$PORT_SSH" host_ed25519 "UsePAM no
KbdInteractiveAuthentication no
AuthenticationMethods publickey
# Slurm only through /etc/profile.d for this user (ensure_site_path); sshd sets PATH last.
Match User $LAB_OPT_USER
  SetEnv PATH=$STATE/site/sysbin SLURM_CONF=$STATE/etc/slurm.conf"
  write_sshd_conf totp "$PORT_SSH_TOTP" host_totp_ed25519 $'UsePAM yes\nKbdInteractiveAuthentication yes\nAuthenticationMethods publickey,keyboard-interactive'"$(pam_service_line "$PAM_SERVICE")"
  # NRIS (Saga, Betzy, Olivia) asks in keyboard-interactive, through PAM, for a one-time code and
  # then the account's password; no key is needed. The code is pam_google_authenticator's here:
  # NRIS's pam_oath refuses a code used twice, and the tests log in several times in 30 s.
  write_sshd_conf password "$PORT_SSH_PASSWORD" host_password_ed25519 $'UsePAM yes\nKbdInteractiveAuthentication yes\nAuthenticationMethods keyboard-interactive'"$(pam_service_line "$PAM_PASSWORD_SERVICE")"
  write_sshd_conf noisy "$PORT_SSH_NOISY" host_noisy_ed25519 "UsePAM no
KbdInteractiveAuthentication no
AuthenticationMethods publickey
Banner $STATE/sshd/banner" /usr/lib/openssh/sftp-server
  # OpenSSH 9.2 has no PAMServiceName: the PAM service is the name sshd runs under.
  cat >/etc/pam.d/$PAM_SERVICE <<'PAM'
# HPC Geo lab: a one-time code after the key, like the NRIS clusters.
auth     required pam_google_authenticator.so
account  required pam_permit.so
session  required pam_permit.so
PAM
  cat >/etc/pam.d/$PAM_PASSWORD_SERVICE <<'PAM'
# HPC Geo lab: a one-time code, then the password, as NRIS asks them.
auth     required pam_google_authenticator.so
auth     required pam_unix.so
account  required pam_unix.so
session  required pam_permit.so
PAM
  mkdir -p "$STATE/bin"
  ln -sfn "$(command -v sshd)" "$STATE/bin/$PAM_SERVICE"
  ln -sfn "$(command -v sshd)" "$STATE/bin/$PAM_PASSWORD_SERVICE"
  local n port
  for n in "${SSHD_CHANGED[@]}"; do reload_sshd "$n"; done
  for n in "${SSHD_NAMES[@]}"; do
    pid_alive "$STATE/sshd/$n.pid" && continue
    port=$(sshd_port "$n")
    ensure_port_free "$port" "sshd ($(sshd_what "$n"))"
    log "starting sshd ($(sshd_what "$n")) on 127.0.0.1:$port"
    "$(sshd_program "$n")" -f "$STATE/sshd/$n.conf" -E "$STATE/log/sshd-$n.log"
  done
  for n in "${SSHD_NAMES[@]}"; do
    port=$(sshd_port "$n")
    wait_for "sshd :$port" 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
  done
}

host_key_line() { printf '[127.0.0.1]:%s %s\n' "$1" "$(cut -d' ' -f1,2 "$STATE/sshd/$2.pub")"; }

facts() {
  [[ -f $STATE/etc/slurm.conf ]] || die "no lab in $STATE (run: test/lab/lab.sh up)"
  local home; home=$(getent passwd "$LAB_USER" | cut -d: -f6)
  host_key_line "$PORT_SSH" host_ed25519 >"$STATE/known_hosts"
  host_key_line "$PORT_SSH_TOTP" host_totp_ed25519 >>"$STATE/known_hosts"
  host_key_line "$PORT_SSH_PASSWORD" host_password_ed25519 >>"$STATE/known_hosts"
  host_key_line "$PORT_SSH_NOISY" host_noisy_ed25519 >>"$STATE/known_hosts"
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
  "partitions": ["normal", "long", "wide", "spot", "urgent"],
  "wide": { "partition": "wide", "minNodes": 4, "nodes": [$(printf '"%s",' "${WIDE_NODES[@]}" | sed 's/,$//')], "addresses": [$(for i in "${!WIDE_NODES[@]}"; do printf '"%s",' "$(wide_addr $((i + 1)))"; done | sed 's/,$//')] },
  "ssh": { "port": $PORT_SSH, "hostKey": "$STATE/sshd/host_ed25519.pub" },
  "totp": { "port": $PORT_SSH_TOTP, "hostKey": "$STATE/sshd/host_totp_ed25519.pub", "secret": "$(cat "$STATE/keys/totp_secret")" },
  "password": { "port": $PORT_SSH_PASSWORD, "hostKey": "$STATE/sshd/host_password_ed25519.pub", "user": "$LAB_PASSWORD_USER", "password": "$(cat "$STATE/keys/user_password")", "secret": "$(cat "$STATE/keys/totp_secret")" },
  "noisy": { "port": $PORT_SSH_NOISY, "hostKey": "$STATE/sshd/host_noisy_ed25519.pub", "user": "$LAB_NOISY_USER", "banner": "$STATE/sshd/banner" },
  "optPath": { "user": "$LAB_OPT_USER", "profileScript": "$PROFILE_SCRIPT", "slurmBin": "$STATE/site/slurm/bin" },
  "keys": {
    "private": "$STATE/keys/id_ed25519",
    "public": "$STATE/keys/id_ed25519.pub",
    "encrypted": "$STATE/keys/id_ed25519_enc",
    "passphrase": "$(cat "$STATE/keys/passphrase")",
    "rsa": "$STATE/keys/id_rsa"
  },
  "knownHosts": "$STATE/known_hosts",
  "slurmConf": "$STATE/etc/slurm.conf",
  "memoryLimits": $(grep -qx 'TaskPlugin=task/cgroup' "$STATE/etc/slurm.conf" && echo true || echo false),
  "preempt": { "low": "spot", "high": "urgent", "node": "${WIDE_NODES[3]}" },
  "slurmVersion": "$(slurm sinfo -V 2>/dev/null | awk '{print $2}')",
  "logs": "$STATE/log"
}
JSON
}

status() {
  local p ok=0
  local n
  for n in "$NODE" "${WIDE_NODES[@]}"; do
    if pid_alive "$STATE/slurm/slurmd-$n.pid"; then log "up:   slurmd $n"; else log "down: slurmd $n"; ok=1; fi
  done
  for p in slurm/slurmdbd.pid slurm/slurmctld.pid sshd/key.pid sshd/totp.pid sshd/password.pid sshd/noisy.pid mysql/mysqld.pid; do
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
  ensure_user "$LAB_PASSWORD_USER" /bin/bash
  ensure_user "$LAB_NOISY_USER" /bin/bash
  ensure_user "$LAB_OPT_USER" /bin/bash
  ensure_keys
  ensure_noisy_login
  ensure_site_path
  start_munge
  start_mariadb
  ensure_hosts
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
  local n
  for n in "${SSHD_NAMES[@]}"; do stop_pid "$STATE/sshd/$n.pid" "sshd ($(sshd_what "$n"))"; done
  if [[ -f $STATE/etc/slurm.conf ]]; then
    # Jobs of the lab user would otherwise outlive slurmd.
    for n in "$LAB_USER" "$LAB_PASSWORD_USER" "$LAB_NOISY_USER" "$LAB_OPT_USER"; do slurm scancel -u "$n" 2>/dev/null || true; done
  fi
  stop_slurm_daemons
  stop_pid "$STATE/slurm/slurmdbd.pid" slurmdbd
  unauthorize_keys
  if pid_alive "$STATE/mysql/mysqld.pid"; then
    mysql_cli -e 'SHUTDOWN' 2>/dev/null || stop_pid "$STATE/mysql/mysqld.pid" MariaDB
    local end=$((SECONDS + 30))
    while pid_alive "$STATE/mysql/mysqld.pid" && ((SECONDS < end)); do sleep 0.3; done
  fi
  [[ -L /etc/slurm/slurm.conf && $(readlink /etc/slurm/slurm.conf) == "$STATE/etc/slurm.conf" ]] && rm -f /etc/slurm/slurm.conf
  rm -f "/etc/pam.d/$PAM_SERVICE" "/etc/pam.d/$PAM_PASSWORD_SERVICE" "$PROFILE_SCRIPT"
  if grep -qF "$HOSTS_MARK" /etc/hosts; then
    # /etc/hosts may be a bind mount (containers): rewrite it in place, not by rename.
    local kept; kept=$(grep -vF "$HOSTS_MARK" /etc/hosts); printf '%s\n' "$kept" >/etc/hosts
  fi
  if ((keep)); then log "stopped; state kept in $STATE"; else rm -rf "$STATE"; log "stopped and removed $STATE"; fi
}

# --- Slurm 24.11: the same lab inside a Debian 13 root -------------------------------------------
# What runs in the root sees the state folder at the same path (a bind mount), so the facts' paths
# (keys, known_hosts) are right on both sides; /proc and /dev are the machine's.

ensure_root() {
  if [[ -x $ROOT/usr/sbin/slurmctld ]]; then return 0; fi
  command -v mmdebstrap >/dev/null || install_packages mmdebstrap
  log "building the Debian 13 root for Slurm 24.11 in $ROOT (once; later runs reuse it)"
  rm -rf "$ROOT.new"
  mkdir -p "$(dirname "$ROOT")"
  mmdebstrap --variant=apt --components=main --include="$(IFS=,; echo "${ROOT_PACKAGES[*]}")" \
    trixie "$ROOT.new" http://deb.debian.org/debian >&2 || die "mmdebstrap failed (see above)"
  # no init system: the packages' services stay stopped; the lab starts the daemons itself
  mv "$ROOT.new" "$ROOT"
}

mounted() { grep -qF " $1 " /proc/mounts; }

mount_root() {
  mkdir -p "$STATE" "$ROOT$STATE"
  mounted "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mounted "$ROOT/dev" || mount --rbind /dev "$ROOT/dev"
  mounted "$ROOT$STATE" || mount --bind "$STATE" "$ROOT$STATE"
  # the machine's cgroup controllers, for Slurm's task/cgroup (memory_cgroup)
  if [[ -d /sys/fs/cgroup/memory ]] && ! mounted "$ROOT/sys/fs/cgroup"; then
    mkdir -p "$ROOT/sys/fs/cgroup"
    mount --rbind /sys/fs/cgroup "$ROOT/sys/fs/cgroup"
  fi
}

umount_root() {
  local m
  for m in "$ROOT$STATE" "$ROOT/sys/fs/cgroup" "$ROOT/dev/pts" "$ROOT/dev/shm" "$ROOT/dev" "$ROOT/proc"; do
    if mounted "$m"; then umount -l "$m" || true; fi
  done
}

# This script, run inside the root with the same arguments.
in_root() {
  cp "${BASH_SOURCE[0]}" "$STATE/lab.sh"
  HPC_GEO_LAB_IN_ROOT=1 HPC_GEO_LAB_DIR=$STATE chroot "$ROOT" /bin/bash "$STATE/lab.sh" "$@"
}

if [[ $SLURM_FLAVOUR == 24.11 && -z ${HPC_GEO_LAB_IN_ROOT:-} ]]; then
  case ${1:-} in
    up)
      check_machine
      ensure_root
      mount_root
      in_root up
      exit
      ;;
    facts | status | admin)
      [[ -d $ROOT ]] || die "no Debian 13 root in $ROOT: run up first"
      mount_root
      in_root "$@"
      exit
      ;;
    down)
      if [[ -d $ROOT && -d $STATE ]]; then mount_root; in_root "$@" || true; fi
      umount_root
      [[ ${2:-} == --keep-state ]] || rm -rf "$STATE"
      exit 0
      ;;
  esac
fi

# A Slurm command as the lab's administrator (root): what a site's staff do, such as taking a node
# down, for tests of how jobs end. Only Slurm's own commands.
admin() {
  case ${1:-} in
    scontrol | sacctmgr | squeue | sacct | sinfo) slurm "$@" ;;
    *) die "admin runs scontrol, sacctmgr, squeue, sacct or sinfo, not ${1:-nothing}" ;;
  esac
}

case ${1:-} in
  up) up ;;
  facts) facts ;;
  status) status ;;
  admin) shift; admin "$@" ;;
  down) shift; down "$@" ;;
  *) echo "usage: $0 up | facts | status | admin SLURM-COMMAND ARGS... | down [--keep-state]" >&2; exit 2 ;;
esac
