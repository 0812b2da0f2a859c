/**
 * What each rule must and must not report: the tests run every example through the engine,
 * and the rule pages show them. Not part of the server or CLI bundles (they are test data,
 * and some look like real credentials on purpose).
 */
import type { Example } from './rule';

export const EXAMPLES: Record<string, { bad: (string | Example)[]; good: (string | Example)[] }> = {
  // apptainerDef.ts
  'def-missing-bootstrap': { bad: [{ text: 'From: ubuntu:22.04\n%post\n  apt-get update\n', kind: 'apptainer' }, { text: 'Bootstrap: docker\n%post\n  true\n', kind: 'apptainer' }], good: [{ text: 'Bootstrap: docker\nFrom: ubuntu:22.04\n%post\n  true\n', kind: 'apptainer' }] },
  'def-unknown-header': { bad: [{ text: 'Bootstrap: docker\nFrm: ubuntu:22.04\n', kind: 'apptainer' }], good: [{ text: 'Bootstrap: docker\nFrom: ubuntu:22.04\n', kind: 'apptainer' }] },
  'def-unknown-section': { bad: [{ text: 'Bootstrap: docker\nFrom: ubuntu:22.04\n%enviroment\n  export A=1\n', kind: 'apptainer' }], good: [{ text: 'Bootstrap: docker\nFrom: ubuntu:22.04\n%environment\n  export A=1\n', kind: 'apptainer' }] },
  'pip-externally-managed': {
  bad: [{ text: 'Bootstrap: docker\nFrom: ghcr.io/osgeo/gdal:ubuntu-small-3.10.1\n%post\n    pip3 install --no-cache-dir geopandas\n', kind: 'apptainer' }],
  good: [
    { text: 'Bootstrap: docker\nFrom: ghcr.io/osgeo/gdal:ubuntu-small-3.10.1\n%post\n    pip3 install --no-cache-dir --break-system-packages geopandas\n', kind: 'apptainer' },
    { text: 'Bootstrap: docker\nFrom: ubuntu:24.04\n%post\n    python3 -m venv /opt/venv\n    /opt/venv/bin/pip install geopandas\n', kind: 'apptainer' },
    { text: 'Bootstrap: docker\nFrom: python:3.12-slim\n%post\n    pip install geopandas\n', kind: 'apptainer' },
  ],
},
  'apt-without-yes': { bad: [{ text: 'Bootstrap: docker\nFrom: ubuntu:22.04\n%post\n    apt-get install curl\n', kind: 'apptainer' }], good: [{ text: 'Bootstrap: docker\nFrom: ubuntu:22.04\n%post\n    apt-get install -y -qq curl\n', kind: 'apptainer' }] },
  // clusterPolicy.ts
  'mem-forbidden': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --mem=64G\nsrun x\n', profile: 'betzy' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\nsrun x\n', profile: 'betzy' }, { text: '#!/bin/bash\n#SBATCH --partition=accel\n#SBATCH --gpus=1\n#SBATCH --mem=128G\nsrun x\n', profile: 'betzy' }],
},
  'mem-required': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --account=nn12037k\n#SBATCH --time=01:00:00\nsrun x\n', profile: 'saga' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --account=nn12037k\n#SBATCH --time=01:00:00\n#SBATCH --mem-per-cpu=4G\nsrun x\n', profile: 'saga' }],
},
  'nodes-below-partition-minimum': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=1\nsrun x\n', profile: 'betzy' }, { text: '#!/bin/bash\n#SBATCH --time=10\nsrun x\n', profile: 'betzy' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\nsrun x\n', profile: 'betzy' }],
},
  'nodes-above-partition-maximum': { bad: [{ text: '#!/bin/bash\n#SBATCH --partition=small\n#SBATCH --nodes=2\nsrun x\n', profile: 'lumi' }], good: [{ text: '#!/bin/bash\n#SBATCH --partition=standard\n#SBATCH --nodes=2\nsrun x\n', profile: 'lumi' }] },
  'time-over-partition-limit': { bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --time=7-00:00:00\nsrun x\n', profile: 'betzy' }], good: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --time=4-00:00:00\nsrun x\n', profile: 'betzy' }] },
  'unknown-partition': { bad: [{ text: '#!/bin/bash\n#SBATCH --partition=a100\n#SBATCH --nodes=4\nsrun x\n', profile: 'betzy' }], good: [{ text: '#!/bin/bash\n#SBATCH --partition=accel\nsrun x\n', profile: 'betzy' }, '#!/bin/bash\n#SBATCH --partition=anything\nsrun x\n'] },
  'missing-account': { bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\nsrun x\n', profile: 'betzy' }], good: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --account=nn12037k\nsrun x\n', profile: 'betzy' }] },
  'cpus-over-node': { bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --cpus-per-task=512\nsrun x\n', profile: 'betzy' }, { text: '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --ntasks-per-node=4\n#SBATCH --cpus-per-task=128\nsrun x\n', profile: 'betzy' }], good: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --cpus-per-task=128\nsrun x\n', profile: 'betzy' }] },
  'missing-time': { bad: ['#!/bin/bash\n#SBATCH --job-name=x\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --time=02:00:00\nsrun x\n', '#!/bin/bash\nsrun x\n'] },
  // containers.ts
  'container-runtime-missing': {
  bad: [{ text: '#!/bin/bash\napptainer exec img.sif python x.py\n', profile: 'lumi' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --mem=8G\napptainer exec img.sif python x.py\n', profile: 'saga' }, { text: '#!/bin/bash\n#SBATCH --mem=8G\nsingularity exec --nv img.sif python x.py\n', profile: 'saga' }, '#!/bin/bash\nsingularity exec img.sif python x.py\n'],
},
  'container-old-name': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --mem=8G\nsingularity exec --nv --bind /cluster dr.sif python infer.py\n', profile: 'saga' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --mem=8G\napptainer exec --nv --bind /cluster dr.sif python infer.py\n', profile: 'saga' }, { text: '#!/bin/bash\nsingularity exec torch.sif python train.py\n', profile: 'lumi' }, '#!/bin/bash\nsingularity exec img.sif python x.py\n'],
},
  'container-path-not-bound': {
  bad: ['#!/bin/bash\napptainer exec fields.sif python3 /cluster/work/fields/scripts/zonal.py\n'],
  good: ['#!/bin/bash\napptainer exec --bind /cluster fields.sif python3 /cluster/work/fields/scripts/zonal.py\n', '#!/bin/bash\nexport APPTAINER_BIND=/cluster\napptainer exec fields.sif python3 /cluster/work/x.py\n'],
},
  'gpu-container-without-flag': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --partition=accel\n#SBATCH --gpus=1\napptainer exec --bind /cluster dr.sif python infer.py\n', profile: 'betzy' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --partition=accel\n#SBATCH --gpus=1\napptainer exec --nv --bind /cluster dr.sif python infer.py\n', profile: 'betzy' }, { text: '#!/bin/bash\n#SBATCH --partition=standard-g\n#SBATCH --gpus=8\nsingularity exec torch.sif python train.py\n', profile: 'lumi' }],
},
  // cpus.ts
  'python-cpu-count': {
  bad: ['#!/bin/bash\npython3 - <<\'PY\'\nimport os\nfrom multiprocessing import Pool\nwith Pool(os.cpu_count()) as p:\n    p.map(work, items)\nPY\n', '#!/bin/bash\npython3 -c "import multiprocessing; print(multiprocessing.cpu_count())"\n'],
  good: ['#!/bin/bash\npython3 - <<\'PY\'\nimport os\nn = len(os.sched_getaffinity(0))\nPY\n'],
},
  'gdal-all-cpus': { bad: ['#!/bin/bash\nexport GDAL_NUM_THREADS=ALL_CPUS\ngdalwarp a.tif b.tif\n', '#!/bin/bash\ngdal_translate -co NUM_THREADS=ALL_CPUS a.tif b.tif\n'], good: ['#!/bin/bash\nexport GDAL_NUM_THREADS=$SLURM_CPUS_PER_TASK\ngdalwarp a.tif b.tif\n'] },
  'nproc-counts-node': { bad: ['#!/bin/bash\nTHREADS=$(nproc --all)\n', '#!/bin/bash\nmake -j"$(getconf _NPROCESSORS_ONLN)"\n', '#!/bin/bash\nN=$(grep -c processor /proc/cpuinfo)\n'], good: ['#!/bin/bash\nTHREADS=${SLURM_CPUS_PER_TASK:-1}\n', '#!/bin/bash\nTHREADS=$(nproc)\n'] },
  'threads-over-allocation': { bad: ['#!/bin/bash\n#SBATCH --cpus-per-task=8\ncscal-pipeline --engine thread --max-workers 32\n', '#!/bin/bash\n#SBATCH -c 4\nexport OMP_NUM_THREADS=16\n'], good: ['#!/bin/bash\n#SBATCH --cpus-per-task=8\ncscal-pipeline --engine thread --max-workers 8\n'] },
  // directiveProblems.ts
  'unknown-option': {
  bad: ['#!/bin/bash\n#SBATCH --cpu-per-task=8\nsrun hostname\n', '#!/bin/bash\n#SBATCH -Y\nsrun hostname\n', '#!/bin/bash\n#SBATCH --workdir=/cluster/work/x\nsrun hostname\n'],
  good: ['#!/bin/bash\n#SBATCH --cpus-per-task=8\nsrun hostname\n', '#!/bin/bash\n#SBATCH --tasks-per-node=4\nsrun hostname\n', '#!/bin/bash\n#SBATCH --image=docker:ubuntu:22.04\nsrun hostname\n'],
},
  'site-plugin-option': {
  bad: ['#!/bin/bash\n#SBATCH --image=docker:ubuntu:22.04\nsrun shifter python x.py\n', '#!/bin/bash\n#SBATCH --container-image=nvcr.io/nvidia/pytorch:24.01-py3\nsrun python x.py\n'],
  good: ['#!/bin/bash\n#SBATCH --cpu-per-task=8\nsrun hostname\n', '#!/bin/bash\n#SBATCH --container=/cluster/bundles/x\nsrun hostname\n'],
},
  'deprecated-option': {
  bad: ['#!/bin/bash\n#SBATCH --tasks-per-node=4\nsrun hostname\n', '#!/bin/bash\n#SBATCH --cluster=saga\nsrun hostname\n'],
  good: ['#!/bin/bash\n#SBATCH --ntasks-per-node=4\nsrun hostname\n', '#!/bin/bash\n#SBATCH --clusters=saga\nsrun hostname\n'],
},
  'option-outside-slurm-version': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --account=nn12037k\n#SBATCH --time=01:00:00\n#SBATCH --mem=8G\n#SBATCH --oom-kill-step\nsrun x\n', profile: 'saga' }, { text: '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --tres-bind=gres/gpu:closest\nsrun x\n', profile: 'lab' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --account=nn12037k\n#SBATCH --time=01:00:00\n#SBATCH --mem=8G\n#SBATCH --tres-per-task=cpu=4\nsrun x\n', profile: 'saga' }, '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --oom-kill-step\nsrun x\n'],
},
  'ambiguous-option': { bad: ['#!/bin/bash\n#SBATCH --mem-per=2G\nsrun x\n', '#!/bin/bash\n#SBATCH --clu=saga\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --mem-per-cpu=2G\nsrun x\n'] },
  'missing-option-value': { bad: ['#!/bin/bash\n#SBATCH --time\n'], good: ['#!/bin/bash\n#SBATCH --time=01:00:00\nsrun x\n'] },
  'unexpected-option-value': { bad: ['#!/bin/bash\n#SBATCH --requeue=yes\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --requeue\nsrun x\n'] },
  'unmatched-quote': { bad: ['#!/bin/bash\n#SBATCH --job-name="fields 2024\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --job-name="fields 2024"\nsrun x\n'] },
  'stray-argument': {
  bad: ['#!/bin/bash\n#SBATCH time=01:00:00\n#SBATCH --nodes=4\nsrun x\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=4\nsrun x\n'],
},
  'abbreviated-option': { bad: ['#!/bin/bash\n#SBATCH --part=normal\nsrun x\n', '#!/bin/bash\n#SBATCH --tasks=4\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --partition=normal\nsrun x\n', '#!/bin/bash\n#SBATCH --tasks-per-node=4\nsrun x\n'] },
  // io.ts
  'temp-on-lustre': {
  bad: [
    { text: '#!/bin/bash\n#SBATCH --nodes=4\ntippecanoe -o out.mbtiles -t /cluster/work/users/me/tmp in.geojson\n', profile: 'betzy' },
    { text: '#!/bin/bash\n#SBATCH --nodes=4\nexport TMPDIR=/cluster/work/users/me/tmp\npython3 build.py\n', profile: 'betzy' },
    { text: '#!/bin/bash\n#SBATCH --nodes=4\nWORK=/cluster/work/users/me\npython3 build.py --tmp-dir "$WORK/tmp"\n', profile: 'betzy' },
  ],
  good: [
    { text: '#!/bin/bash\n#SBATCH --nodes=4\ntippecanoe -o /dev/shm/out.mbtiles -t /dev/shm in.geojson\n', profile: 'betzy' },
    '#!/bin/bash\nexport TMPDIR=/cluster/work/tmp\npython3 build.py\n',
  ],
},
  'sqlite-on-lustre': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\ntippecanoe -o /cluster/work/fields/fields_2024.mbtiles -t /dev/shm in.geojson\n', profile: 'betzy' }, { text: '#!/bin/bash\n#SBATCH --nodes=4\nogr2ogr -f GPKG /cluster/work/out.gpkg in.shp\n', profile: 'betzy' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\ntippecanoe -o /dev/shm/fields_2024.mbtiles -t /dev/shm in.geojson\ncp /dev/shm/fields_2024.mbtiles /cluster/work/fields/\n', profile: 'betzy' }],
},
  'tmp-too-small': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\ntippecanoe -o /dev/shm/out.mbtiles in.geojson\n', profile: 'betzy' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\ntippecanoe -o /dev/shm/out.mbtiles -t /dev/shm in.geojson\n', profile: 'betzy' }, { text: '#!/bin/bash\n#SBATCH --nodes=4\nexport TMPDIR=/dev/shm\ntippecanoe -o /dev/shm/out.mbtiles in.geojson\n', profile: 'betzy' }],
},
  // secrets.ts
  'aws-access-key': { bad: ['#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLQ\n'], good: ['#!/bin/bash\nexport AWS_PROFILE=kostya\n', '#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIA...\n'] },
  'aws-secret-key': { bad: ['#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ\n'], good: ['#!/bin/bash\napptainer exec --env AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY img.sif x\n', '#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=...\n'] },
  'database-url-password': { bad: ['#!/bin/bash\nexport PG_URL=postgres://dr:hunter2secret@db.example.org/dr\n'], good: ['#!/bin/bash\nexport PG_URL=postgres://dr@db.example.org/dr\n', '#!/bin/bash\nexport PG_URL=postgres://dr:${PGPASSWORD}@db/dr\n'] },
  'hardcoded-secret': {
  bad: ['#!/bin/bash\nexport SLACK_TOKEN=xoxb-1234567890-abcdefghij\n', '#!/bin/bash\nsshpass -p s3cretPass rsync -a x betzy:y\n', '#!/bin/bash\ncurl -X POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n'],
  good: ['#!/bin/bash\nexport SLACK_TOKEN="${SLACK_TOKEN:?export SLACK_TOKEN before sbatch}"\n', '#!/bin/bash\nexport DB_PASSWORD_FILE=~/.secrets/db\n'],
},
  // shellMistakes.ts
  'shell-syntax-error': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\nfor y in 2018 2019; do\n  srun -n1 --exact python zonal.py "$y" &\ndone\ndone\nwait\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nmodule load GDAL\n  fi\npython x.py\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\nfor y in 2018 2019; do\n  srun -n1 --exact python zonal.py "$y" &\ndone\nwait\n', '#!/bin/bash\n#SBATCH --time=01:00:00\necho done\n"done"\n'],
},
  'typographic-character-in-command': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\nsrun \u2014cpu_bind=cores ./model\n', '#!/bin/bash\n#SBATCH --time=01:00:00\npython fit.py \u2013epochs 3\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nsrun \u2013n 4 ./model\n', '#!/bin/bash\n#SBATCH --time=01:00:00\necho \u201cstarted\u201d\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\nsrun --cpu_bind=cores ./model\n', '#!/bin/bash\n#SBATCH --time=01:00:00\necho "Gr\u00fc\u00dfe \u2014 started at $(date)"\necho don\u2019t\n'],
},
  'return-outside-function': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n[ -f input.tif ] || return 1\npython zonal.py input.tif\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\ncheck() {\n  [ -f "$1" ] || return 1\n}\ncheck input.tif || exit 1\npython zonal.py input.tif\n', '#!/bin/bash\n# sourced by the job scripts\n[ -n "$LOADED" ] && return 0\nexport LOADED=1\n'],
},
  'substitution-output-run': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n`echo "Starting on $(hostname)"`\npython x.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n$(module load GDAL)\ngdalwarp a.tif b.tif\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\necho "Starting on $(hostname)"\n$(which python) x.py\n$(sed -n "${SLURM_ARRAY_TASK_ID}p" commands.txt)\nif $(echo "$H" | grep -q x); then echo; fi\n'],
},
  'rm-own-log': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\nrm -f *.out *.err\npython x.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --output=logs/%x-%j.log\n#SBATCH --job-name=zonal\nrm -rf logs\nmkdir -p logs\npython x.py\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --output=logs/%x-%j.log\nrm -f *.out outputs/*.tif\npython x.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nrm -f "$TMP"/*.out core.*\ncd build && rm -rf ./*\n'],
},
  'rm-empty-variable': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\nrm -rf "$SCRATCH"/*\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nrm -r ${WORK_TMP}/\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nrm -rf "$SLURM_TMPDIR/"*\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\nrm -rf "${SCRATCH:?}"/*\nOUT=/cluster/work/x\nrm -rf "$OUT"/tmp\nrm -rf "$HOME"/.cache/pip\nfor d in a b; do rm -rf $d/*; done\nrm -f $LOGDIR/*\nrm -rf $TMPDIR/ray/*\n'],
},
  'cd-unchecked-before-rm': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\ncd /cluster/work/users/me/tiles_tmp\nrm -rf *\n', '#!/bin/bash\n#SBATCH --time=01:00:00\ncd $WORKDIR\nrm -rf *\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\ncd /cluster/work/users/me/tiles_tmp || exit 1\nrm -rf *\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nset -euo pipefail\ncd /cluster/work/users/me/tiles_tmp\nrm -rf *\n', '#!/bin/bash\n#SBATCH --time=01:00:00\ncd /cluster/work/x\nrm -rf /cluster/work/x/tmp/*\n', '#!/bin/bash\n#SBATCH --time=01:00:00\ncd /cluster/work/x\necho hi\ncd /cluster/work/x || exit 1\nrm -rf *\n'],
},
  // steps.ts
  'array-task-id-unused': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-9\n#SBATCH --output=log_%A_%a.out\npython zonal.py --year 2020\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-9\n#SBATCH --output=log_%A_%a.out\npython zonal.py --year $((2015 + SLURM_ARRAY_TASK_ID))\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-9\n#SBATCH --output=log_%A_%a.out\npython sweep.py --seed "$SLURM_JOB_ID"\n'],
},
  'nodes-without-launcher': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=4\nmodule load PyTorch\npython train.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=2\ntorchrun --nnodes 2 --nproc-per-node 4 train.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=3\napptainer exec --nv torch.sif python train.py\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=4\nsrun python train.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=2\nbash run_all.sh\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=8\npython pool.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=2\nsrun --ntasks-per-node=1 torchrun --nnodes 2 --nproc-per-node 4 train.py\n'],
},
  'srun-wraps-mpirun': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=64\nsrun mpirun ./solver\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=64\nsrun --mpi=pmix -n 64 mpiexec ./solver\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=64\nsrun singularity exec img.sif mpirun ./solver\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=64\nsrun bash -c "mpirun ./solver"\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=64\nsrun ./solver\nmpirun ./solver\n'],
},
  'export-none-reaches-steps': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --export=NONE\nmodule load GDAL\nsrun gdalwarp a.tif b.tif\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --export=NONE\nexport SLURM_EXPORT_ENV=ALL\nmodule load GDAL\nsrun gdalwarp a.tif b.tif\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --export=NONE\nmodule load GDAL\nsrun --export=ALL gdalwarp a.tif b.tif\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nmodule load GDAL\nsrun gdalwarp a.tif b.tif\n'],
},
  'mpi-ranks-over-tasks': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=64\nmpirun -np 128 ./model\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=16\nsrun -n 64 ./model\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --ntasks=64\nmpirun ./model\nmpirun -np 64 ./model\nmpirun --oversubscribe -np 128 ./model\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --nodes=2\nsrun -n 64 ./model\n'],
},
  'srun-cpus-per-task-not-inherited': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --account=project_465000001\n#SBATCH --partition=small\n#SBATCH --time=01:00:00\n#SBATCH --cpus-per-task=16\nsrun python tiles.py\n', profile: 'lumi' }],
  good: [{ text: '#!/bin/bash\n#SBATCH --account=project_465000001\n#SBATCH --partition=small\n#SBATCH --time=01:00:00\n#SBATCH --cpus-per-task=16\nexport SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK\nsrun python tiles.py\n', profile: 'lumi' }, { text: '#!/bin/bash\n#SBATCH --account=project_465000001\n#SBATCH --partition=small\n#SBATCH --time=01:00:00\n#SBATCH --cpus-per-task=16\nsrun -c 16 python tiles.py\n', profile: 'lumi' }, '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --cpus-per-task=16\nsrun python tiles.py\n'],
},
  // environment.ts
  'pip-install-in-array': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-31\n#SBATCH --output=log_%A_%a.out\npip install --user rasterio\npython zonal.py "$SLURM_ARRAY_TASK_ID"\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-31\n#SBATCH --output=log_%A_%a.out\nsource /cluster/projects/p1/venv/bin/activate\npython -m pip install -r requirements.txt\npython zonal.py "$SLURM_ARRAY_TASK_ID"\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-31\n#SBATCH --output=log_%A_%a.out\npython -m venv "$TMPDIR/venv"\n"$TMPDIR/venv/bin/pip" install rasterio\n', '#!/bin/bash\n#SBATCH --time=01:00:00\npip install --user rasterio\n'],
},
  'unknown-slurm-variable': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-9\npython zonal.py --year "$SLURM_ARRAYTASK_ID"\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nsrun -n ${SLURM_NTASK} ./model\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-9\npython zonal.py --year "$SLURM_ARRAY_TASK_ID"\ncp x "$SLURM_TMPDIR"\n# $SLURM_ARRAYTASK_ID in a comment\nexport SLURM_MY_DIR=/x; echo "$SLURM_MY_DIR"\necho "$SLURM_SITE_SPECIFIC_THING"\n'],
},
  'conda-activate-without-init': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\nconda activate geo\npython zonal.py\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\neval "$(conda shell.bash hook)"\nconda activate geo\npython zonal.py\n', '#!/bin/bash -l\n#SBATCH --time=01:00:00\nconda activate geo\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nmodule load Miniforge3\nconda activate geo\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nsource ~/miniconda3/etc/profile.d/conda.sh\nconda activate geo\n'],
},
  // shellRobustness.ts
  'errexit-arithmetic-zero': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\nset -euo pipefail\ndone_tiles=0\nfor t in tiles/*.tif; do\n  gdal_translate "$t" "out/${t##*/}"\n  ((done_tiles++))\ndone\n', '#!/bin/bash -e\n#SBATCH --time=01:00:00\nn=0\nlet n++\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\nset -euo pipefail\ndone_tiles=0\nfor t in tiles/*.tif; do\n  ((++done_tiles))\n  ((done_tiles++)) || true\ndone\ni=1\n((i++))\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nn=0\n((n++))\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nset -e\nn=0\nset +e\n((n++))\nset -e\n'],
},
  'signal-trap-never-runs': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --signal=USR1@300\ntrap \'touch checkpoint.now\' USR1\nsrun python train.py &\nwait\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --signal=B:USR1@300\ntrap \'kill -USR1 $pid\' SIGUSR1\npython train.py\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --signal=B:USR1@300\ntrap \'kill -USR1 "$pid"; wait "$pid"\' USR1\npython train.py &\npid=$!\nwait "$pid"\n', '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --signal=USR1@300\nsrun python train.py\n'],
},
  'errexit-with-background-steps': {
  bad: ['#!/bin/bash\nset -euo pipefail\nfor y in 2021 2022; do\n  srun --exact -N1 bash year.sh $y &\ndone\nwait\n'],
  good: ['#!/bin/bash\nset -uo pipefail\nfor y in 2021 2022; do\n  srun --exact -N1 bash year.sh $y &\ndone\nwait\n', '#!/bin/bash\nset -euo pipefail\nsrun bash year.sh 2021\n'],
},
  'background-not-waited': { bad: ['#!/bin/bash\nsrun --exact -N1 a.sh &\nsrun --exact -N1 b.sh &\n'], good: ['#!/bin/bash\nsrun --exact -N1 a.sh &\nsrun --exact -N1 b.sh &\nwait\n'] },
  'wait-hides-failures': {
  bad: ['#!/bin/bash\nsrun --exact -N1 a.sh &\nsrun --exact -N1 b.sh &\nwait\n'],
  good: ['#!/bin/bash\nsrun --exact -N1 a.sh & p1=$!\nsrun --exact -N1 b.sh & p2=$!\nwait $p1 && wait $p2\n', '#!/bin/bash\nsrun a.sh\nwait\n'],
},
  'parallel-srun-without-exact': { bad: ['#!/bin/bash\nsrun -N1 a.sh &\nsrun -N1 b.sh &\nwait\n'], good: ['#!/bin/bash\nsrun --exact -N1 a.sh &\nsrun --exclusive -N1 b.sh &\nwait\n'] },
  'pipeline-hides-exit-code': { bad: ['#!/bin/bash\npython3 infer.py | tee infer.log\n'], good: ['#!/bin/bash\nset -uo pipefail\npython3 infer.py | tee infer.log\n', '#!/bin/bash\ncat list.txt | sort\n'] },
  'script-dir-in-spool': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\ncd "$(dirname "$0")"\npython run.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nHERE=${BASH_SOURCE[0]%/*}\npython "$HERE/run.py"\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\ncd "$SLURM_SUBMIT_DIR"\npython run.py\n', '#!/bin/bash\n#SBATCH --time=01:00:00\nHERE=$(dirname "$(scontrol show job "$SLURM_JOB_ID" | awk -F= \'/Command=/{print $2}\')")\npython "$HERE/run.py"\n', '#!/bin/bash\n#SBATCH --time=01:00:00\necho "usage: $0 input" >&2\n', '#!/bin/bash\nHERE=$(dirname "$(readlink -f "$0")")\nsbatch --time=01:00:00 "$HERE/job.sh"\n'],
},
  'backslash-space-continuation': {
  bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\nsrun python train.py \\ \n  --epochs 10\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\nsrun python train.py \\\n  --epochs 10\n', '#!/bin/bash\n#SBATCH --time=01:00:00\necho a\\\\ \necho b\n'],
},
  'tasks-from-cpus-per-task': {
  bad: ['#!/bin/bash\n#SBATCH --cpus-per-task=8\nsrun -n $SLURM_CPUS_PER_TASK python train.py\n', '#!/bin/bash\n#SBATCH --cpus-per-task=8\nmpirun -np ${SLURM_CPUS_PER_TASK} ./solver\n'],
  good: ['#!/bin/bash\n#SBATCH --cpus-per-task=8\nsrun -n 1 -c $SLURM_CPUS_PER_TASK python train.py\n', '#!/bin/bash\n#SBATCH --cpus-per-task=8\nsrun python train.py -n $SLURM_CPUS_PER_TASK\n'],
},
  'scancel-all-jobs': { bad: ['#!/bin/bash\nif [ -f STOP ]; then scancel -u $USER; fi\n'], good: ['#!/bin/bash\nif [ -f STOP ]; then scancel "$SLURM_JOB_ID"; fi\n'] },
  // slurmScript.ts
  'missing-shebang': { bad: ['#SBATCH --time=10\nsrun x\n', '!/bin/bash\n#SBATCH --time=10\nsrun x\n', 'Here is the job script:\n\n#!/bin/bash\n#SBATCH --time=10\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --time=10\nsrun x\n', 'cat > job.sh <<EOF\n#!/bin/bash\n#SBATCH --time=10\nsrun x\nEOF\nsbatch job.sh\n'] },
  'crlf-line-endings': { bad: ['#!/bin/bash\r\n#SBATCH --time=10\r\nsrun x\r\n'], good: ['#!/bin/bash\n#SBATCH --time=10\nsrun x\n'] },
  'directive-after-command': { bad: ['#!/bin/bash\n#SBATCH --time=10\nmodule load python\n#SBATCH --mem=8G\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --time=10\n#SBATCH --mem=8G\nmodule load python\nsrun x\n', '#!/bin/bash\nfor y in 2020 2021; do\n  cat > job_$y.sh <<EOF\n#!/bin/bash\n#SBATCH --time=10\nsrun x $y\nEOF\n  sbatch job_$y.sh\ndone\n'] },
  'not-a-directive': { bad: ['#!/bin/bash\n# SBATCH --mem=8G\nsrun x\n', '#!/bin/bash\n  #SBATCH --mem=8G\nsrun x\n', '#!/bin/bash\n#SLURM --mem=8G\nsrun x\n', '#!/bin/bash\n#SBTACH --mem=8G\nsrun x\n', '#!/bin/bash\n#BATCH --time=10\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --mem=8G\n##SBATCH --gpus=1\nsrun x\n', '#!/bin/bash\n#SBATCH --mem=8G\n# batch -n 4 files at a time\nsrun x\n'] },
  'merge-conflict-marker': {
  bad: ['#!/bin/bash\n#SBATCH --time=10\n<<<<<<< HEAD\n#SBATCH --mem=8G\n=======\n#SBATCH --mem=16G\n>>>>>>> tune\nsrun x\n'],
  good: ['#!/bin/bash\n#SBATCH --time=10\n#SBATCH --mem=16G\nsrun x\n', '#!/bin/bash\necho "======="\ncat <<<"$x"\n'],
},
  'unfilled-placeholder': {
  bad: ['#!/bin/bash\n#SBATCH --time={{ time }}\n#SBATCH --nodes=@NODES@\nsrun x\n', '#!/bin/bash\n#SBATCH --job-name=$jobname$\n#SBATCH --account=<ACCOUNT>\nsrun x\n'],
  good: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --mail-user=me@example.org\n#SBATCH --output=${SLURM_JOB_NAME}.out\nsrun x\n'],
},
  'variable-in-directive': { bad: ['#!/bin/bash\n#SBATCH --output=$HOME/logs/%j.out\nsrun x\n', '#!/bin/bash\n#SBATCH --account=${ACCOUNT}\nsrun x\n', '#!/bin/bash\n#SBATCH --job-name=$1\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --output=logs/%x_%j.out\nsrun x\n'] },
  'array-log-without-index': { bad: ['#!/bin/bash\n#SBATCH --array=0-99\n#SBATCH --output=logs/run_%A.out\nsrun x\n', '#!/bin/bash\n#SBATCH --array=0-99\n#SBATCH --output=logs/run.out\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --array=0-99\n#SBATCH --output=logs/run_%A_%a.out\nsrun x\n', '#!/bin/bash\n#SBATCH --array=0-99\nsrun x\n', '#!/bin/bash\n#SBATCH --array=0-99\n#SBATCH --output=logs/run_%j.out\nsrun x\n'] },
  'output-directory-not-created': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --output=logs/%j.out\nsrun x\n', profile: 'lab' }],
  good: ['#!/bin/bash\n#SBATCH --output=%x_%j.out\nsrun x\n', { text: '#!/bin/bash\n#SBATCH --output=logs/%j.out\nsrun x\n', profile: 'betzy' }],
},
  // slurmValues.ts
  'invalid-time': { bad: ['#!/bin/bash\n#SBATCH --time=2h\nsrun x\n', '#!/bin/bash\n#SBATCH --time=1:2:3:4\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --time=4-00:00:00\nsrun x\n', '#!/bin/bash\n#SBATCH -t 90\nsrun x\n'] },
  'ambiguous-time': { bad: ['#!/bin/bash\n#SBATCH --time=2:00\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --time=02:00:00\nsrun x\n', '#!/bin/bash\n#SBATCH --time=30:00\nsrun x\n'] },
  'invalid-memory': { bad: ['#!/bin/bash\n#SBATCH --mem=64GiB\nsrun x\n', '#!/bin/bash\n#SBATCH --mem-per-cpu=1.5G\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --mem=64G\nsrun x\n', '#!/bin/bash\n#SBATCH --mem=30GB\nsrun x\n', '#!/bin/bash\n#SBATCH --mem-per-cpu=4gb\nsrun x\n'] },
  'memory-without-unit': {
  bad: ['#!/bin/bash\n#SBATCH --mem=10\nsrun x\n', '#!/bin/bash\n#SBATCH --mem-per-cpu=4\nsrun x\n'],
  good: ['#!/bin/bash\n#SBATCH --mem=10G\nsrun x\n', '#!/bin/bash\n#SBATCH --mem=0\nsrun x\n', '#!/bin/bash\n#SBATCH --mem-per-cpu=2000\nsrun x\n', '#!/bin/bash\n#SBATCH --mem=50 # MB, a tiny test job\nsrun x\n'],
},
  'memory-flags-exclusive': { bad: ['#!/bin/bash\n#SBATCH --mem=64G\n#SBATCH --mem-per-cpu=2G\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --mem=64G\nsrun x\n'] },
  'invalid-array': {
  bad: ['#!/bin/bash\n#SBATCH --array=1..10\nsrun x\n', '#!/bin/bash\n#SBATCH --array=10-1\nsrun x\n', { text: '#!/bin/bash\n#SBATCH --array=0-5000\nsrun x\n', profile: 'lab' }],
  good: ['#!/bin/bash\n#SBATCH --array=0-999%50\n#SBATCH --output=logs/%A_%a.out\nsrun x\n', '#!/bin/bash\n#SBATCH --array=0-5000\nsrun x\n'],
},
  'array-over-default-max': {
  bad: ['#!/bin/bash\n#SBATCH --array=0-5000\nsrun x\n'],
  good: ['#!/bin/bash\n#SBATCH --array=0-1000\nsrun x\n', { text: '#!/bin/bash\n#SBATCH --array=0-1500\nsrun x\n', profile: 'lab' }],
},
  'invalid-dependency': {
  bad: ['#!/bin/bash\n#SBATCH --dependency=afterOK:123\nsrun x\n', '#!/bin/bash\n#SBATCH --dependency=afterany:INFERENCE_JOBID\nsrun x\n'],
  good: ['#!/bin/bash\n#SBATCH --dependency=afterany:123:124\nsrun x\n', '#!/bin/bash\n#SBATCH --dependency=singleton\nsrun x\n'],
},
  'invalid-count': { bad: ['#!/bin/bash\n#SBATCH --cpus-per-task=eight\nsrun x\n', '#!/bin/bash\n#SBATCH --nodes=0\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --nodes=2-4\n#SBATCH -c 8\nsrun x\n'] },
  'invalid-choice': { bad: ['#!/bin/bash\n#SBATCH --mail-type=FAILED\nsrun x\n', '#!/bin/bash\n#SBATCH --open-mode=overwrite\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --mail-type=BEGIN,FAIL\n#SBATCH --open-mode=append\nsrun x\n', '#!/bin/bash\n#SBATCH --mail-type=BEGIN,FAILED\nsrun x\n'] },
  'mail-type-ignored': { bad: ['#!/bin/bash\n#SBATCH --mail-type=BEGIN,FAILED\nsrun x\n', '#!/bin/bash\n#SBATCH --mail-type="BEGIN, END"\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --mail-type=BEGIN,END,FAIL\nsrun x\n', '#!/bin/bash\n#SBATCH --mail-type=end,fail\nsrun x\n'] },
  'duplicate-option': { bad: ['#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --time=10:00:00\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --time=10:00:00\nsrun x\n'] },
  'command-line-only-option': { bad: ['#!/bin/bash\n#SBATCH --wrap="hostname"\nsrun x\n'], good: ['#!/bin/bash\n#SBATCH --job-name=x\nsrun x\n'] },
  // tensor.ts
  'tensor-int-max': {
  bad: ['#!/bin/bash\nTILE_BATCH_SIZE=64\nN_CHANNELS=6\nPATCH_SIZE=240\nUPSCALE=10\npython infer.py --batch-size $TILE_BATCH_SIZE\n', '#!/bin/bash\npython infer.py --batch-size 64 --bands 6 --patch-size 240 --upscale 10\n'],
  good: ['#!/bin/bash\nTILE_BATCH_SIZE=12\nN_CHANNELS=6\nPATCH_SIZE=240\nUPSCALE=10\npython infer.py --batch-size $TILE_BATCH_SIZE\n', '#!/bin/bash\nBATCH_SIZE=64\npython train.py\n'],
},
  // tippecanoe.ts
  'tippecanoe-j-not-threads': {
  bad: ['#!/bin/bash\ntippecanoe -j 256 -o out.mbtiles in.geojson\n', '#!/bin/bash\ntippecanoe -j$(nproc) -o out.mbtiles in.geojson\n'],
  good: ['#!/bin/bash\nTIPPECANOE_MAX_THREADS=128 tippecanoe -o out.mbtiles in.geojson\n', '#!/bin/bash\ntippecanoe -j \'{"*":["==","kind","field"]}\' -o out.mbtiles in.geojson\n'],
},
  'tippecanoe-max-threads': {
  bad: [{ text: '#!/bin/bash\n#SBATCH --nodes=4\ntippecanoe -o /dev/shm/out.mbtiles -t /dev/shm in.geojson\n', profile: 'betzy' }],
  good: [
    { text: '#!/bin/bash\n#SBATCH --nodes=4\nexport TIPPECANOE_MAX_THREADS=128\ntippecanoe -o /dev/shm/out.mbtiles -t /dev/shm in.geojson\n', profile: 'betzy' },
    { text: '#!/bin/bash\ntippecanoe -o out.mbtiles in.geojson\n', profile: 'saga' },
  ],
},
};
