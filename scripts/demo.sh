#!/usr/bin/env bash
# The demo (README): brings up the lab cluster, builds and packages the extension, and prints
# how to reach the cluster. (A real VS Code with the extension installed joins the demo later.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/package.mjs
bash test/lab/lab.sh up >/dev/null
facts=.lab/facts.json
node -e '
const f = require(process.argv[1]);
console.log(`
HPC Geo demo
  lab cluster ${f.cluster}: Slurm ${f.slurmVersion}, node ${f.node}, partitions ${f.partitions.join(", ")}
  key-only sshd:        ssh -i ${f.keys.private} -p ${f.ssh.port} ${f.user}@${f.host}
  key + one-time code:  ssh -i ${f.keys.private} -p ${f.totp.port} ${f.user}@${f.host}   (code: oathtool --totp -b ${f.totp.secret})
  known_hosts for both: ${f.knownHosts}
  extension package:    build/ (install with: code --install-extension build/<file>.vsix)
  stop the lab:         bash test/lab/lab.sh down
`);' "$PWD/$facts"
