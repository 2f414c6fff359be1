/**
 * A worker of the test's own for the catalogue flows, on task queues prefixed with
 * HUB_TASK_QUEUE_PREFIX, so a suite can kill it (kill -9) mid-run and start another without
 * touching the stack's worker or anyone else's runs. Run with `node --import tsx`.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadTemporalConfig, loadWorkerConfig } from '../../src/config';
import { hubDataConverter } from '../../src/temporal/connection';
import { createSystemActivities } from '../../src/workers/system-activities';
import { TASK_QUEUES } from '../../src/workflows/task-queues';

async function main(): Promise<void> {
  const prefix = process.env.HUB_TASK_QUEUE_PREFIX;
  if (!prefix) throw new Error('HUB_TASK_QUEUE_PREFIX must be set');
  const config = loadWorkerConfig();
  const temporal = loadTemporalConfig();
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const common = { connection, namespace: temporal.namespace, dataConverter: hubDataConverter(config.HUB_CODEC_KEY) };
  const activities = createSystemActivities(config);
  const workers = await Promise.all([
    Worker.create({ ...common, taskQueue: `${prefix}${TASK_QUEUES.workflows}`, workflowsPath: require.resolve('../../src/workflows/backfill/workflows') }),
    ...(['medusa', 'erp', 'wms', 'cms'] as const).map((s) => Worker.create({ ...common, taskQueue: `${prefix}${TASK_QUEUES[s]}`, activities: activities[s] })),
  ]);
  console.log('backfill worker ready');
  await Promise.all(workers.map((w) => w.run()));
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
