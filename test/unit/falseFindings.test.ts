import { strict as assert } from 'node:assert';
import { lastOption, parseSbatchHeader } from '../../common/sbatch/directives';
import { parseArray, parseMemoryMB } from '../../common/sbatch/values';
import { engine, lintText } from '../support/engine';

/**
 * Issue 11: classes of false findings seen on real public scripts, each as a minimal script of
 * our own. Every case names what must not be reported (or what must, instead).
 */
const codes = (text: string, opts: Parameters<typeof lintText>[1] = {}) => lintText(text, opts).map((d) => `${d.code}/${d.severity}`);

describe('false findings (issue 11)', () => {
  before(engine);

  describe('memory sizes: str_to_mbytes takes an optional B after K, M, G, T, any case', () => {
    it('reads 30GB, 64gb, 10Gb, 512mb, 2TB, 100kB as Slurm does', () => {
      assert.equal(parseMemoryMB('30GB'), 30 * 1024);
      assert.equal(parseMemoryMB('64gb'), 64 * 1024);
      assert.equal(parseMemoryMB('10Gb'), 10 * 1024);
      assert.equal(parseMemoryMB('512mb'), 512);
      assert.equal(parseMemoryMB('2TB'), 2 * 1024 * 1024);
      assert.equal(parseMemoryMB('100kB'), 1);
    });

    it('still refuses what str_to_mbytes refuses', () => {
      for (const bad of ['64B', '1.5G', '64GiB', '64GBB', 'G', 'GB', '-1G', '64 G']) assert.equal(parseMemoryMB(bad), undefined, bad);
    });

    it('reports no invalid-memory for --mem=30GB, --mem-per-cpu=4gb, --tmp=10Gb', () => {
      const text = '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --mem=30GB\nsrun x\n';
      assert.deepEqual(codes(text).filter((c) => c.startsWith('invalid-memory')), []);
      const text2 = '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --mem-per-cpu=4gb\n#SBATCH --tmp=10Gb\nsrun x\n';
      assert.deepEqual(codes(text2).filter((c) => c.startsWith('invalid-memory')), []);
    });
  });
  describe('options: the real option table, getopt_long prefixes, site plugins', () => {
    const body = '#!/bin/bash\n#SBATCH --time=01:00:00\n';
    it('reads --tasks-per-node (deprecated, still in the table) as --ntasks-per-node, at most an info', () => {
      const found = lintText(`${body}#SBATCH --nodes=2\n#SBATCH --tasks-per-node=4\nsrun x\n`);
      assert.deepEqual(found.filter((d) => d.severity !== 'info').map((d) => d.code), []);
      assert.deepEqual(found.map((d) => d.code), ['deprecated-option']);
      const h = parseSbatchHeader(`${body}#SBATCH --tasks-per-node=4\n`.split('\n'));
      assert.equal(lastOption(h, 'ntasks-per-node')?.value, '4');
    });

    it('reads --tasks as the unique prefix of --tasks-per-node (an info), not an unknown option', () => {
      const found = lintText(`${body}#SBATCH --tasks=4\nsrun x\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['abbreviated-option/info']);
      assert.match(found[0]!.message, /--ntasks-per-node/);
    });

    it('keeps ambiguous prefixes an error, as getopt_long does (--clu: --cluster and --clusters)', () => {
      assert.deepEqual(codes(`${body}#SBATCH --clu=a\nsrun x\n`), ['ambiguous-option/error']);
    });

    it('does not call a plugin option an error, nor suggest --usage for --image', () => {
      const found = lintText(`${body}#SBATCH --image=docker:ubuntu:22.04\nsrun x\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['site-plugin-option/warning']);
      assert.doesNotMatch(found[0]!.message, /usage/);
      const other = lintText(`${body}#SBATCH --burst-mode=on\nsrun x\n`);
      assert.deepEqual(other.map((d) => `${d.code}/${d.severity}`), ['site-plugin-option/warning']);
    });

    it('still calls a close typo an error with its fix', () => {
      const found = lintText(`${body}#SBATCH --partion=normal\nsrun x\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['unknown-option/error']);
      assert.match(found[0]!.message, /did you mean --partition\?/);
    });

    it('says --workdir was removed and offers --chdir', () => {
      const found = lintText(`${body}#SBATCH --workdir=/cluster/work/x\nsrun x\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['unknown-option/error']);
      assert.match(found[0]!.message, /removed in Slurm 19\.05; use --chdir/);
      assert.equal(found[0]!.fix?.edits[0]?.newText, '--chdir');
    });
  });
  describe('heredocs: #SBATCH lines of a job script being written are not this script\'s', () => {
    it('reports no directive-after-command for #SBATCH lines in cat > job.sh <<EOF … EOF, <<-, quoted delimiters, and a pipe into sbatch', () => {
      const text = [
        '#!/bin/bash', 'for y in 2020 2021; do', '  cat > job_$y.sh <<EOF', '#!/bin/bash', '#SBATCH --time=01:00:00', '#SBATCH --job-name=y$y',
        'srun python run.py $y', 'EOF', '  sbatch job_$y.sh', 'done', "cat <<-'END' | sbatch", '\t#!/bin/bash', '\t#SBATCH --mem=4G', '\tsrun x', '\tEND',
        '#SBATCH --time=2', '',
      ].join('\n');
      const found = lintText(text);
      // the one after the last heredoc is still late and still reported
      assert.deepEqual(found.filter((d) => d.code === 'directive-after-command' || d.code === 'not-a-directive').map((d) => d.range.start.line), [15]);
    });

    it('does not ask a generator without #! for one when its #SBATCH lines are all heredoc text', () => {
      const text = 'cat > job.sh <<EOF\n#!/bin/bash\n#SBATCH --time=01:00:00\nsrun x\nEOF\nsbatch job.sh\n';
      assert.deepEqual(codes(text), []);
      // a batch script of its own without #! still is
      assert.deepEqual(codes('#SBATCH --time=01:00:00\nsrun x\n'), ['missing-shebang/error']);
    });

    it('does not read heredoc text into the header either (a heredoc on a command line ends it)', () => {
      const text = '#!/bin/bash\n#SBATCH --time=01:00:00\ncat > job.sh <<EOF\n#SBATCH --time=bogus\nEOF\n';
      assert.deepEqual(codes(text), []);
    });
  });
  describe('templates: placeholders are one info, not invalid values', () => {
    const only = (text: string) => assert.deepEqual(codes(text), ['unfilled-placeholder/info'], text);
    it('takes {{ time }}, $jobname$, <ACCOUNT>, @NODES@ and {name} as placeholders', () => {
      only('#!/bin/bash\n#SBATCH --time={{ time }}\n#SBATCH --job-name=$jobname$\n#SBATCH --account=<ACCOUNT>\n#SBATCH --nodes=@NODES@\n#SBATCH --output=logs/{name}.out\nsrun x\n');
      only('#!/bin/bash\n#SBATCH -t {{time}}\n#SBATCH -N {{ nodes }} --mem={{ mem }}\nsrun x\n');
    });

    it('reads a {% if %} line and a whole-argument placeholder as template, not as the end of the header or a stray word', () => {
      only('#!/bin/bash\n#SBATCH --time=01:00:00\n{% if gpus %}\n#SBATCH --gpus={{ gpus }}\n{% endif %}\n#SBATCH {{ extra_args }}\nsrun x\n');
    });

    it('says it once for the whole header, at the first placeholder', () => {
      const found = lintText('#!/bin/bash\n#SBATCH --time={{ time }}\n#SBATCH --nodes={{ nodes }}\nsrun x\n');
      assert.equal(found.length, 1);
      assert.equal(found[0]!.range.start.line, 1);
      assert.match(found[0]!.message, /and 1 more/);
    });

    it('still reports shell variables and real values ($HOME, ${X}, $a$b, a mail address are not placeholders)', () => {
      assert.deepEqual(codes('#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --output=$HOME/x.out\nsrun x\n'), ['variable-in-directive/error']);
      assert.deepEqual(codes('#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --output=${X}.out\nsrun x\n'), ['variable-in-directive/error']);
      assert.deepEqual(codes('#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --output=$a$b.out\nsrun x\n'), ['variable-in-directive/error']);
      assert.deepEqual(codes('#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --mail-user=me@example.org\nsrun x\n'), []);
    });
  });
  describe('follow-on noise: the cause once, at the cause', () => {
    const header = '#SBATCH --time=01:00:00\n#SBATCH --mem=4G\n#SBATCH --job-name=x\nsrun x\n';
    it('a first line without its # is one missing-shebang that says so, no directive-after-command per directive', () => {
      const found = lintText(`!/bin/bash\n${header}`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.range.start.line}`), ['missing-shebang/0']);
      assert.match(found[0]!.message, /# is missing/);
      assert.equal(found[0]!.fix?.edits[0]?.newText, '#!');
    });

    it('text pasted above the #! line is one missing-shebang that offers to remove it', () => {
      const found = lintText(`Sure! Here is the script you asked for:\n\n#!/bin/bash\n${header}`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.range.start.line}`), ['missing-shebang/0']);
      assert.match(found[0]!.message, /line 3, with text above it/);
    });

    it('merge-conflict markers in the header are one error at the first marker', () => {
      const found = lintText('#!/bin/bash\n#SBATCH --time=01:00:00\n<<<<<<< HEAD\n#SBATCH --mem=4G\n=======\n#SBATCH --mem=8G\n>>>>>>> other\n#SBATCH --job-name=x\nsrun x\n');
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}/${d.range.start.line}`), ['merge-conflict-marker/error/2']);
      assert.match(found[0]!.message, /the 3 #SBATCH line\(s\) after it are ignored/);
    });

    it('a late directive after an ordinary command is still reported', () => {
      assert.deepEqual(codes('#!/bin/bash\nmodule load x\n#SBATCH --time=01:00:00\nsrun x\n'), ['directive-after-command/warning']);
    });
  });
  describe('the generic profile asserts no site fact above warning', () => {
    it('an index above 1000 is a warning that names Slurm\'s default, not an invalid-array error', () => {
      const found = lintText('#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-4999%20\n#SBATCH --output=logs/%A_%a.out\nsrun x "$SLURM_ARRAY_TASK_ID"\n');
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['array-over-default-max/warning']);
      assert.match(found[0]!.message, /Slurm's default MaxArraySize/);
    });

    it('a profile that states MaxArraySize still decides it as an error', () => {
      const found = lintText('#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --array=0-4999%20\n#SBATCH --output=logs/%A_%a.out\nsrun x "$SLURM_ARRAY_TASK_ID"\n', { profile: 'lab' });
      assert.ok(found.some((d) => d.code === 'invalid-array' && d.severity === 'error'), JSON.stringify(found));
    });

    it('no generic finding above warning on the site facts of a plain script', () => {
      const text = '#!/bin/bash\n#SBATCH --time=3-00:00:00\n#SBATCH --partition=gpu\n#SBATCH --nodes=64\n#SBATCH --cpus-per-task=256\n#SBATCH --array=0-20000\n#SBATCH --output=%A_%a.out\nsingularity exec x.sif python a.py "$SLURM_ARRAY_TASK_ID"\n';
      assert.deepEqual(lintText(text).filter((d) => d.severity === 'error').map((d) => d.code), []);
    });
  });
  describe('background steps', () => {
    it('wait $PID || true cannot trip set -e', () => {
      const text = '#!/bin/bash\n#SBATCH --time=01:00:00\nset -e\nsrun -n1 --exact a &\nA=$!\nsrun -n1 --exact b &\nB=$!\nwait $A || true\nif ! wait $B; then echo failed; fi\n';
      assert.deepEqual(codes(text).filter((c) => c.startsWith('errexit')), []);
      assert.deepEqual(codes(text.replace('wait $A || true', 'wait $A')).filter((c) => c.startsWith('errexit')), ['errexit-with-background-steps/warning']);
    });

    it('a server killed on purpose is not "never waited for"', () => {
      const text = '#!/bin/bash\n#SBATCH --time=01:00:00\npython -m http.server 8000 &\nSERVER=$!\npython client.py\nkill $SERVER\n';
      assert.deepEqual(codes(text).filter((c) => c.startsWith('background')), []);
      // without the kill the server ends with the job, after the client: still no finding
      assert.deepEqual(codes(text.replace('kill $SERVER\n', '')).filter((c) => c.startsWith('background')), []);
      // with nothing after the server, the job ends at once
      assert.deepEqual(codes(text.replace('python client.py\nkill $SERVER\n', '')).filter((c) => c.startsWith('background')), ['background-not-waited/error']);
    });
  });

  describe('misses: directives sbatch ignores without a word', () => {
    it('a mistyped #SBATCH (#BATCH, #SBTACH, #SBACTH, #SSBATCH, #Sbatch) is a not-a-directive warning at its line, with a fix', () => {
      for (const typo of ['#BATCH', '#SBTACH', '#SBACTH', '#SSBATCH', '#SBATC', '#Sbatch', '# SBTACH']) {
        const text = `#!/bin/bash\n#SBATCH --time=01:00:00\n${typo} --mem=8G\nsrun x\n`;
        const found = lintText(text).filter((d) => d.code === 'not-a-directive');
        assert.deepEqual(found.map((d) => `${d.severity}@${d.range.start.line}`), ['warning@2'], typo);
        assert.match(found[0]!.message, new RegExp(typo.replace(/ /g, ' ')));
        assert.equal(found[0]!.fix?.edits[0]?.newText, '#SBATCH --mem=8G', typo);
      }
    });

    it('prose that only starts like it is not a directive (# batch size, #BATCHES, a switched-off ##SBATCH)', () => {
      const text = '#!/bin/bash\n#SBATCH --time=01:00:00\n# batch -n 4 files at a time\n#BATCHES --of 4\n##SBATCH --gpus=1\nsrun x\n';
      assert.deepEqual(codes(text), []);
    });
  });
  describe('corpus of public scripts: classes of false findings', () => {
    const head = '#!/bin/bash\n#SBATCH --time=01:00:00\n';

    it('reads --array=[0-3], [1,3,5] and [0-9]%2 as Slurm does (slurm_parse_array_tok drops the brackets)', () => {
      for (const spec of ['[0-3]', '[1,3,5]', '[0-9]%2', '[0-20:5]']) {
        assert.deepEqual(codes(`${head}#SBATCH --array=${spec}\n#SBATCH --output=o_%A_%a.out\nsrun x "$SLURM_ARRAY_TASK_ID"\n`), [], spec);
      }
      assert.deepEqual(parseArray('[0-3]'), { count: 4, maxIndex: 3 });
      assert.deepEqual(codes(`${head}#SBATCH --array=[a-3]\n#SBATCH --output=o_%A_%a.out\nsrun x "$SLURM_ARRAY_TASK_ID"\n`), ['invalid-array/error']);
    });

    it('takes a placeholder with spaces or dashes, or RELION\'s XXXnameXXX, as a template placeholder, not as stray words or a bad count', () => {
      const text = `${head}#SBATCH -A <----- your project ----->\n#SBATCH --ntasks=XXXmpinodesXXX\n#SBATCH -p <partition name>\nsrun x\n`;
      assert.deepEqual(codes(text), ['unfilled-placeholder/info']);
      const more = `${head}#SBATCH -n %%ntasks%%\n#SBATCH --account=[budget code]\n#SBATCH --mail-user=[your email address]\n#SBATCH -c **FIXME**\nsrun x\n`;
      assert.deepEqual(codes(more), ['unfilled-placeholder/info']);
      // a constraint or node list in brackets is not prose
      assert.deepEqual(codes(`${head}#SBATCH --nodelist=node[01-04]\n#SBATCH --constraint=[rack1|rack2]\nsrun x\n`), []);
      // the directives after the placeholder are still read
      assert.deepEqual(codes(`${head}#SBATCH -A <your project>\n#SBATCH --mem=8Q\nsrun x\n`).filter((c) => !c.startsWith('unfilled')), ['invalid-memory/error']);
    });

    it('does not call a helper beside foreground work (tensorboard &, a monitor &) "never waited for"', () => {
      const text = `${head}tensorboard --logdir runs &\nsrun python train.py\n`;
      assert.deepEqual(codes(text).filter((c) => c.startsWith('background')), []);
      const monitor = `${head}nvidia-smi dmon -d 30 > gpu.log &\nsingularity exec --nv img.sif python fit.py\n`;
      assert.deepEqual(codes(monitor).filter((c) => c.startsWith('background')), []);
      const ray = `${head}#SBATCH --nodes=3\nfor n in a b; do\n  srun -N1 -n1 -w "$n" ray start --address "$HEAD" --block &\ndone\nvllm serve some/model --tensor-parallel-size 8\n`;
      assert.deepEqual(codes(ray).filter((c) => c.startsWith('background')), []);
      const server = `${head}singularity exec --nv serving.sif model_server --port 8500 &\nsleep 12\npython client.py localhost:8500\n`;
      assert.deepEqual(codes(server).filter((c) => c.startsWith('background')), []);
      // background work with nothing but echo or sleep after it is still reported: the job ends at once
      assert.deepEqual(codes(`${head}srun -n1 --exact a &\nsrun -n1 --exact b &\nsleep 5\n`).filter((c) => c.startsWith('background')), ['background-not-waited/error']);
      assert.deepEqual(codes(`${head}tensorboard --logdir runs &\necho started\n`).filter((c) => c.startsWith('background')), ['background-not-waited/error']);
    });

    it('does not ask for --exact on background steps placed on named nodes (a head node and its workers)', () => {
      const text = `${head}#SBATCH --nodes=3\nsrun -N1 -n1 -w "$HEAD" ./head.sh &\nsrun -N2 --exclude "$HEAD" ./worker.sh &\nwait\n`;
      assert.deepEqual(codes(text).filter((c) => c.startsWith('parallel')), []);
      assert.deepEqual(codes(`${head}srun -N1 -n1 ./a.sh &\nsrun -N1 -n1 ./b.sh &\nwait\n`).filter((c) => c.startsWith('parallel')), ['parallel-srun-without-exact/warning', 'parallel-srun-without-exact/warning']);
    });

    it('does not ask for --nv or --rocm in a job that shows it runs on AMD GPUs (ROCm containers bring their own)', () => {
      const text = `${head}#SBATCH --gpus-per-node=8\nexport MIOPEN_USER_DB_PATH=/tmp/miopen\nsrun singularity exec pytorch-rocm.sif python train.py\n`;
      assert.deepEqual(codes(text).filter((c) => c.startsWith('gpu-container')), []);
      assert.deepEqual(codes(`${head}#SBATCH --gpus-per-node=8\nsrun singularity exec pytorch.sif python train.py\n`).filter((c) => c.startsWith('gpu-container')), ['gpu-container-without-flag/warning']);
    });

    it('an array log named with %j is one file per task (%j is each task\'s own job id): no array-log-without-index', () => {
      assert.deepEqual(codes(`${head}#SBATCH --array=0-3\n#SBATCH --output=logs/run.%j.%N.out\nsrun x "$SLURM_ARRAY_TASK_ID"\n`), []);
      assert.deepEqual(codes(`${head}#SBATCH --array=0-3\n#SBATCH --output=logs/run.%A.%N.out\nsrun x "$SLURM_ARRAY_TASK_ID"\n`), ['array-log-without-index/warning']);
    });

    it('a --mail-type list with one known type is taken (parse_mail_type skips the rest): mail-type-ignored warnings, not invalid-choice errors', () => {
      const found = lintText(`${head}#SBATCH --mail-type=BEGIN,END,FAILL,timeout\nsrun x\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['mail-type-ignored/warning', 'mail-type-ignored/warning']);
      assert.equal(found[0]!.fix?.edits[0]?.newText, 'FAIL');
      assert.deepEqual(codes(`${head}#SBATCH --mail-type="BEGIN, END"\nsrun x\n`), ['mail-type-ignored/warning']);
      // no known type at all: sbatch refuses it
      assert.deepEqual(codes(`${head}#SBATCH --mail-type=START,FINISH\nsrun x\n`), ['invalid-choice/error', 'invalid-choice/error']);
    });

    it('does not call a path inside the image (/app, /opt, /usr, /workspace) unbound', () => {
      const text = `${head}apptainer exec tool.sif python /app/tool/run.py --db /opt/db\napptainer exec tool.sif /usr/local/bin/x /workspace/in\n`;
      assert.deepEqual(codes(text).filter((c) => c.startsWith('container-path')), []);
      assert.deepEqual(codes(`${head}apptainer exec tool.sif python run.py --data /cluster/projects/p1/in\n`).filter((c) => c.startsWith('container-path')), ['container-path-not-bound/warning']);
    });
  });
  describe('misses found in the corpus: real problems now reported', () => {
    const head = '#!/bin/bash\n#SBATCH --time=01:00:00\n';

    it('--mem=10 is 10 MB: a bare number up to 64 is a memory-without-unit warning with the fix to G', () => {
      const found = lintText(`${head}#SBATCH --mem=10\nsrun x\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['memory-without-unit/warning']);
      assert.equal(found[0]!.fix?.edits[0]?.newText, '10G');
      // megabytes that are meant: a larger number, or a comment that says so
      assert.deepEqual(codes(`${head}#SBATCH --mem-per-cpu=300\nsrun x\n`), []);
      assert.deepEqual(codes(`${head}#SBATCH --mem=32 # in MB\nsrun x\n`), []);
    });

    it('a script argument in a directive ($1, ${2}, $@) is a variable-in-directive error', () => {
      for (const v of ['$1', '${2}', '$@']) {
        const found = lintText(`${head}#SBATCH --job-name=${v}\nsrun x\n`);
        assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['variable-in-directive/error'], v);
        assert.match(found[0]!.message, /arguments do not exist yet/);
      }
    });

    it('$0 and BASH_SOURCE name the spooled copy: script-dir-in-spool in a batch script, not in a submitter', () => {
      assert.deepEqual(codes(`${head}python \`dirname $0\`/helper.py\n`), ['script-dir-in-spool/warning']);
      assert.deepEqual(codes(`${head}cd "$(dirname "\${BASH_SOURCE[0]}")"\nsrun x\n`), ['script-dir-in-spool/warning']);
      assert.deepEqual(codes('#!/bin/bash\nHERE=$(dirname "$0")\ncat > j.sh <<EOF\n#!/bin/bash\n#SBATCH --time=10\nsrun x\nEOF\nsbatch j.sh\n'), []);
      assert.deepEqual(codes(`${head}cd "\${SLURM_SUBMIT_DIR:-$(dirname "$0")}"\nsrun x\n`), []);
      // a test for the spool directory, and a script that submits itself from the command line
      assert.deepEqual(codes(`${head}HERE=$(cd "$(dirname "$0")" && pwd)\n[[ $HERE == *slurmd* ]] && HERE=$PWD\nsrun "$HERE/x"\n`), []);
      assert.deepEqual(codes(`${head}if [ -z "$SLURM_JOB_ID" ]; then\n  sbatch --export=DIR="$(dirname "$0")" "$0"\n  exit\nfi\nsrun "$DIR/x"\n`), []);
    });

    it('a space after the continuation backslash is reported, with the fix', () => {
      const found = lintText(`${head}srun python fit.py \\ \n  --epochs 3\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['backslash-space-continuation/warning']);
      assert.equal(found[0]!.fix?.edits[0]?.newText, '');
      assert.deepEqual(codes(`${head}srun python fit.py \\\n  --epochs 3\n`), []);
      assert.deepEqual(codes(`${head}# a comment \\ \nsrun x\n`), []);
    });

    it('srun -n $SLURM_CPUS_PER_TASK starts that many copies: tasks-from-cpus-per-task, only for the launcher\'s own -n', () => {
      assert.deepEqual(codes(`${head}#SBATCH -c 8\nsrun -n $SLURM_CPUS_PER_TASK ./omp_prog\n`), ['tasks-from-cpus-per-task/warning']);
      assert.deepEqual(codes(`${head}#SBATCH -c 8\nmpirun -np "\${SLURM_CPUS_PER_TASK}" ./solver\n`), ['tasks-from-cpus-per-task/warning']);
      assert.deepEqual(codes(`${head}#SBATCH -c 8\nsrun python pool.py -n $SLURM_CPUS_PER_TASK\n`), []);
    });

    it('a done, fi or then that closes nothing is a shell-syntax-error at its line, only where the rest parses', () => {
      const found = lintText(`${head}for y in 2018 2019; do\n  python zonal.py "$y"\ndone\ndone\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}@${d.range.start.line}`), ['shell-syntax-error/warning@5']);
      // a word that only reads like one: quoted, an argument, inside a string
      assert.deepEqual(codes(`${head}echo done\n"done"\nprintf 'fi\\n'\n`), []);
    });

    it('a typographic dash or quote in a command line is named, with the fix', () => {
      const dash = lintText(`${head}srun \u2014cpu_bind=cores ./model\n`);
      assert.deepEqual(dash.map((d) => `${d.code}/${d.severity}`), ['typographic-character-in-command/warning']);
      assert.equal(dash[0]!.fix?.edits[0]?.newText, '--');
      assert.equal(lintText(`${head}rm \u2013r old\n`)[0]!.fix?.edits[0]?.newText, '-');
      assert.deepEqual(codes(`${head}echo "a \u2014 b"\necho it\u2019s\n`), []);
    });

    it('return at the top of a job script runs on: return-outside-function, with exit as the fix', () => {
      const found = lintText(`${head}cd /cluster/work/x || return\npython x.py\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['return-outside-function/warning']);
      assert.equal(found[0]!.fix?.edits[0]?.newText, 'exit');
      assert.deepEqual(codes(`${head}f() {\n  cd "$1" || return\n}\nf x\n`), []);
    });

    it('a line that is only a substitution runs its output: substitution-output-run, not for if $(...) nor $(which x) args', () => {
      assert.deepEqual(codes(`${head}\`echo "Job $SLURM_JOB_ID started"\`\npython x.py\n`), ['substitution-output-run/warning']);
      assert.deepEqual(codes(`${head}if $(echo "$H" | grep -q x); then echo y; fi\n$(which python) x.py\n`), []);
    });

    it('several nodes and no launcher: nodes-without-launcher, unless a driver launches through Slurm itself', () => {
      assert.deepEqual(codes(`${head}#SBATCH --nodes=4\npython train.py\n`), ['nodes-without-launcher/warning']);
      // SmartSim and the like: the driver starts the steps
      assert.deepEqual(codes(`${head}#SBATCH --nodes=8\nlauncher=slurm\npython run-melt.py --launcher=$launcher --sim_nodes=8\n`), []);
      assert.deepEqual(codes(`${head}#SBATCH --nodes=2\npython wandb_on_slurm.py cfg.yaml\n`), []);
      assert.deepEqual(codes(`${head}#SBATCH --nodes=4\n./run_all.sh\n`), []);
    });

    it('rm of names that match the job\'s own log: rm-own-log, but not after a cd', () => {
      assert.deepEqual(codes(`${head}rm -f *.out *.err\npython x.py\n`), ['rm-own-log/warning']);
      assert.deepEqual(codes(`${head}rm -rf .snakemake STARTED slurm*\nsnakemake --profile slurm\n`), ['rm-own-log/warning']);
      assert.deepEqual(codes(`${head}cd build && rm -rf ./*\nmake\n`), []);
      assert.deepEqual(codes(`${head}#SBATCH --output=/dev/null\nrm -f *.out\n`), []);
    });

    it('an em dash pasted for two hyphens is named, with the fix', () => {
      const found = lintText(`${head}#SBATCH \u2014mem=16G\nsrun x\n`);
      assert.deepEqual(found.map((d) => `${d.code}/${d.severity}`), ['stray-argument/error']);
      assert.match(found[0]!.message, /typographic dash/);
      assert.equal(found[0]!.fix?.edits[0]?.newText, '--');
      const short = lintText(`${head}#SBATCH -\u2014mem=16G\nsrun x\n`);
      assert.deepEqual(short.map((d) => `${d.code}/${d.severity}`), ['unknown-option/error']);
      assert.match(short[0]!.message, /typographic dash/);
    });
  });
  describe('the review rules on 3,057 public scripts: classes of false findings', () => {
    const head = '#!/bin/bash\n#SBATCH --time=01:00:00\n';

    it('srun -n 1 starting one mpirun per node (NVIDIA\'s examples) is not srun-wraps-mpirun', () => {
      assert.deepEqual(codes(`${head}#SBATCH --nodes=2\nfor node in a b; do\n  srun -N 1 -n 1 -w $node mpirun --allow-run-as-root -np 1 ./bench &\ndone\nwait\n`).filter((c) => c.startsWith('srun-wraps')), []);
      assert.deepEqual(codes(`${head}#SBATCH --ntasks=8\nsrun -n 8 mpirun ./solver\n`), ['srun-wraps-mpirun/warning']);
    });

    it('--export=NONE with LRZ\'s slurm_setup module is not export-none-reaches-steps', () => {
      assert.deepEqual(codes(`${head}#SBATCH --export=NONE\n#SBATCH --get-user-env\nmodule load slurm_setup\nmodule load namd\nsrun namd2 x.conf\n`), []);
    });

    it('rm -rf of a deeper path under an unset variable names nothing when it is empty: no rm-empty-variable', () => {
      assert.deepEqual(codes(`${head}rm -rf $TMPDIR/ray/*\nrm -r \${TMPDIR}/\${SAMPLE}/x\n`), []);
      assert.deepEqual(codes(`${head}rm -rf "$TMPDIR"/*\n`), ['rm-empty-variable/warning']);
    });

    it('conda set up by a quoted hook, a sourced file, a module or a login shell is not conda-activate-without-init', () => {
      assert.deepEqual(codes(`${head}eval "$(conda 'shell.bash' 'hook' 2> /dev/null)"\nconda activate geo\n`), []);
      assert.deepEqual(codes(`${head}source ~/miniconda3/bin/activate\nconda activate geo\n`), []);
      assert.deepEqual(codes(`${head}. /opt/site/start_anaconda3.sh\nconda activate geo\n`), []);
      assert.deepEqual(codes(`${head}module load pytorch-gpu/py3/2.1.1\nconda activate geo\n`), []);
      assert.deepEqual(codes(`${head}conda activate geo\n`), ['conda-activate-without-init/warning']);
    });

    it('a typo of a Slurm variable is named with the real one; a site\'s own and the script\'s own are not', () => {
      const found = lintText(`${head}nodes=($(scontrol show hostnames $SLURM_JOB_NODELIS))\ncp x slurm$SLURM_JOB_ID_0\n`);
      assert.deepEqual(found.map((d) => `${d.code}: ${d.fix?.edits[0]?.newText}`), ['unknown-slurm-variable: SLURM_JOB_NODELIST', 'unknown-slurm-variable: SLURM_JOB_ID']);
      assert.deepEqual(codes(`${head}cp x "$SLURM_TMPDIR"\nexport SLURM_MYAPP_DIR=/x\necho "$SLURM_MYAPP_DIR"\n`), []);
    });
    it('an array of one task, or a %1 chain that resumes from a checkpoint, is not array-task-id-unused', () => {
      assert.deepEqual(codes(`${head}#SBATCH --array=1\npython train.py\n`), []);
      assert.deepEqual(codes(`${head}#SBATCH --array=0-10%1\n#SBATCH --output=o_%A_%a.out\npython train.py --resume last.ckpt\n`), []);
      assert.deepEqual(codes(`${head}#SBATCH --array=1-48\n#SBATCH --output=o_%A_%a.out\npython run.py\n`), ['array-task-id-unused/info']);
    });

    it('an rm that runs only where its own cd went (cd build && rm -rf ./*) is not cd-unchecked-before-rm', () => {
      assert.deepEqual(codes(`${head}cd 3rdparty/jsoncpp\nmkdir -p build\ncd build && rm -rf ./*\ncmake ..\n`), []);
      assert.deepEqual(codes(`${head}cd $TMPDIR\nrm -rf *\n`), ['cd-unchecked-before-rm/warning']);
    });
  });
  describe('a newcomer\'s own scripts against the review rules: false findings and misses', () => {
    const head = '#!/bin/bash\n#SBATCH --time=01:00:00\n';
    const only = (text: string, code: string, opts: Parameters<typeof lintText>[1] = {}) => codes(text, opts).filter((c) => c.startsWith(code));

    it('return that works sourced or run, or asks whether it is sourced, is meant', () => {
      assert.deepEqual(only(`${head}[ -f in.tif ] || { echo missing; return 1 2>/dev/null || exit 1; }\npython x.py\n`, 'return-outside'), []);
      assert.deepEqual(only(`${head}(return 0 2>/dev/null) && sourced=1 || sourced=0\n`, 'return-outside'), []);
    });

    it('rm -rf of a variable the script made sure of, or a sourced file may set, is not rm-empty-variable', () => {
      for (const guard of [': "${WORKDIR:?set WORKDIR}"', '[ -n "$WORKDIR" ] || exit 1', 'if [ -z "$WORKDIR" ]; then exit 1; fi', '[[ -d $WORKDIR ]] || exit 1', 'source params.env']) {
        assert.deepEqual(only(`${head}${guard}\nrm -rf "$WORKDIR"/*\n`, 'rm-empty'), [], guard);
      }
    });

    it('((n++)) where set +e has turned errexit off is not errexit-arithmetic-zero', () => {
      assert.deepEqual(only(`${head}set -e\nn=0\nset +e\n((n++))\nset -e\n`, 'errexit-arith'), []);
      assert.deepEqual(only(`${head}set -e\nn=0\n((n++))\n`, 'errexit-arith'), ['errexit-arithmetic-zero/warning']);
    });

    it('cd-unchecked-before-rm counts the last cd, an ERR trap, a $PWD check and a cd to the submit dir', () => {
      assert.deepEqual(only(`${head}cd /cluster/work/x\necho hi\ncd /cluster/work/x || exit 1\nrm -rf *\n`, 'cd-unchecked'), []);
      assert.deepEqual(only(`${head}trap "exit 1" ERR\ncd /cluster/work/x\nrm -rf ./*\n`, 'cd-unchecked'), []);
      assert.deepEqual(only(`${head}cd /cluster/work/x\n[ "$PWD" = /cluster/work/x ] || exit 1\nrm -rf *\n`, 'cd-unchecked'), []);
      assert.deepEqual(only(`${head}cd "$SLURM_SUBMIT_DIR"\nrm -rf tmp_*\n`, 'cd-unchecked'), []);
      // the fix of a cd to a variable also stops on an empty one (cd with nothing goes home)
      const found = lintText(`${head}cd $WORKDIR\nrm -rf *\n`).find((d) => d.code === 'cd-unchecked-before-rm')!;
      assert.deepEqual(found.fix!.edits.map((e) => e.newText), ['"${WORKDIR:?}"', ' || exit 1']);
    });

    it('a --signal trap with the work in the background and polled runs; one with another signal never does', () => {
      const polled = `${head}#SBATCH --signal=B:TERM@120\ntrap 'touch stop' TERM\nsrun ./model &\nwhile kill -0 $! 2>/dev/null; do sleep 30; done\n`;
      assert.deepEqual(only(polled, 'signal-trap'), []);
      const other = `${head}#SBATCH --signal=B:USR2@600\ntrap 'touch stop' USR1\npython train.py &\nwait\n`;
      assert.deepEqual(only(other, 'signal-trap'), ['signal-trap-never-runs/warning']);
    });

    it('one srun step in the background with nothing beside it is not parallel-srun-without-exact', () => {
      assert.deepEqual(only(`${head}#SBATCH --signal=B:USR1@300\ntrap 'touch stop.flag' SIGUSR1\nsrun python train.py &\nwait\n`, 'parallel-srun'), []);
      assert.deepEqual(only(`${head}for y in 1 2; do\n  srun -n1 python y.py $y &\ndone\nwait\n`, 'parallel-srun'), ['parallel-srun-without-exact/warning']);
      assert.deepEqual(only(`${head}srun -n1 a &\nsrun -n1 b\nwait\n`, 'parallel-srun'), ['parallel-srun-without-exact/warning']);
    });

    it('the components of a heterogeneous job have options of their own', () => {
      const het = `${head}#SBATCH --ntasks=8\n#SBATCH hetjob\n#SBATCH --ntasks=56\nsrun -n 64 ./model\n`;
      assert.deepEqual(codes(het).filter((c) => c.startsWith('duplicate') || c.startsWith('mpi-ranks')), []);
    });

    it('a relative rm does not match an absolute log; the message shows the log pattern, not a made-up id', () => {
      assert.deepEqual(only(`${head}#SBATCH --output=/cluster/work/users/me/logs/%x_%j.out\nrm -f *.out *.err\n`, 'rm-own-log'), []);
      const found = lintText(`${head}#SBATCH --output=logs/%x-%j.log\nrm -f logs/*.log\n`).find((d) => d.code === 'rm-own-log')!;
      assert.match(found.message, /\(logs\/%x-%j\.log\)/);
      // a cd to the submit directory changes nothing
      assert.deepEqual(only(`${head}#SBATCH --output=%x.%j.out\ncd "$SLURM_SUBMIT_DIR"\nrm -f *.out\n`, 'rm-own-log'), ['rm-own-log/warning']);
    });

    it('a pip install that one task runs is not every task\'s; uv pip and conda install are', () => {
      const arr = `${head}#SBATCH --array=0-9\n#SBATCH --output=o_%A_%a.out\n`;
      assert.deepEqual(only(`${arr}if [ "$SLURM_ARRAY_TASK_ID" -eq 0 ]; then pip install --user rasterio; fi\n`, 'pip-install'), []);
      assert.deepEqual(only(`${arr}uv pip install rasterio\npython x.py $SLURM_ARRAY_TASK_ID\n`, 'pip-install'), ['pip-install-in-array/warning']);
      assert.deepEqual(only(`${arr}conda install -y rasterio\npython x.py $SLURM_ARRAY_TASK_ID\n`, 'pip-install'), ['pip-install-in-array/warning']);
    });

    it('misses: $(export ...), $(module load) && ..., conda init in the script, micromamba, echo ok; done, wrapped mpirun', () => {
      assert.deepEqual(only(`${head}$(export OMP_NUM_THREADS=4)\n`, 'substitution'), ['substitution-output-run/warning']);
      assert.deepEqual(only(`${head}$(module load GDAL) && echo loaded\n`, 'substitution'), ['substitution-output-run/warning']);
      assert.deepEqual(only(`${head}conda init bash\nconda activate geo\n`, 'conda'), ['conda-activate-without-init/warning']);
      assert.deepEqual(only(`${head}micromamba activate geo\n`, 'conda'), ['conda-activate-without-init/warning']);
      assert.deepEqual(only(`${head}echo ok; done\n`, 'shell-syntax'), ['shell-syntax-error/warning']);
      assert.deepEqual(only(`${head}#SBATCH --ntasks=8\nsrun --mpi=pmi2 env OMP_NUM_THREADS=1 mpirun ./solver\n`, 'srun-wraps'), ['srun-wraps-mpirun/warning']);
    });

    it('misses: several nodes with the work in a container, or only torchrun; words in an echo launch nothing', () => {
      assert.deepEqual(only(`${head}#SBATCH --nodes=3\napptainer exec img.sif python train.py\n`, 'nodes-without'), ['nodes-without-launcher/warning']);
      assert.deepEqual(only(`${head}#SBATCH --nodes=2\ntorchrun --nnodes=2 train.py\n`, 'nodes-without'), ['nodes-without-launcher/warning']);
      assert.deepEqual(only(`${head}#SBATCH --nodes=2\necho "no srun here"\npython preprocess_mpi_inputs.py\n`, 'nodes-without'), ['nodes-without-launcher/warning']);
    });

    it('an array that runs another script, or names %a in a command, is told so', () => {
      const arr = `${head}#SBATCH --array=0-9\n#SBATCH --output=o_%A_%a.out\n`;
      assert.deepEqual(only(`${arr}bash worker.sh\n`, 'array-task-id'), []);
      assert.match(lintText(`${arr}python run.py --config configs/cfg_%a.yaml\n`).find((d) => d.code === 'array-task-id-unused')!.message, /%a is replaced in #SBATCH --output and --error only/);
    });
  });
});
