import os from 'node:os';
import { authLoad } from './auth-load.ts';
import { clusterFailover } from './cluster-failover.ts';
import { deployBench } from './deploy.ts';
import { mediaPipeline } from './media-pipeline.ts';
import { projectsLoad } from './projects.ts';
import { queueOverhead } from './queue-overhead.ts';
import { soak } from './soak.ts';
import { statsLoad } from './stats.ts';
import { startupBench } from './startup.ts';
import { uploadLoad } from './upload.ts';
import { webBench } from './web.ts';
import { formatTable, type BenchRow } from './table.ts';

// A benchmark returns rows for the ours-versus-baseline table, or (the soak) a finished report.
const BENCHMARKS: Record<string, () => Promise<BenchRow[] | string>> = {
  'queue-overhead': queueOverhead,
  'auth-load': authLoad,
  'media-pipeline': mediaPipeline,
  upload: uploadLoad,
  stats: statsLoad,
  'cluster-failover': clusterFailover,
  web: webBench,
  projects: projectsLoad,
  deploy: deployBench,
  startup: startupBench,
  soak,
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark: ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}\n\n`);
// The soak runs for ten minutes: only when asked for by name.
for (const name of asked.length > 0 ? asked : Object.keys(BENCHMARKS).filter((n) => n !== 'soak')) {
  const rows = await BENCHMARKS[name]!();
  process.stdout.write(`## ${name}\n\n${typeof rows === 'string' ? rows : formatTable(rows)}\n\n`);
}
process.exit(0);
