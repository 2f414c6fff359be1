import { NativeConnection, Worker } from '@temporalio/worker';
import type { TemporalConnectConfig, WorkerConfig } from '../config';
import { connectClient, hubDataConverter } from '../temporal/connection';
import { ensurePollers } from './pollers';
import { TASK_QUEUES } from '../workflows/task-queues';
import { createSystemActivities } from './system-activities';

export interface HubWorkers {
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * One worker for workflows and one per external system. A system's queue carries a server-side
 * rate limit (maxTaskQueueActivitiesPerSecond): it holds across every worker process polling
 * the queue, so adding workers adds capacity without multiplying the load on the ERP.
 */
export async function createHubWorkers(temporal: TemporalConnectConfig, config: WorkerConfig): Promise<HubWorkers> {
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const common = { connection, namespace: temporal.namespace, dataConverter: hubDataConverter(config.HUB_CODEC_KEY) };
  // The inbound pollers' activities hand changes to runs (signal-with-start) through a client.
  const client = await connectClient(temporal, config.HUB_CODEC_KEY);
  const activities = createSystemActivities(config, client);
  const workers = await Promise.all([
    Worker.create({
      ...common,
      taskQueue: TASK_QUEUES.workflows,
      workflowsPath: require.resolve('../workflows'),
      // Flows run their short forward calls as local activities, here beside the workflow. The
      // same instances as the system workers' below, so both share one set of micro-batchers.
      activities: { ...activities.medusa, ...activities.erp, ...activities.wms, ...activities.cms },
    }),
    Worker.create({
      ...common,
      taskQueue: TASK_QUEUES.medusa,
      activities: activities.medusa,
      maxTaskQueueActivitiesPerSecond: config.MEDUSA_MAX_ACTIVITIES_PER_SECOND,
    }),
    Worker.create({
      ...common,
      taskQueue: TASK_QUEUES.erp,
      activities: activities.erp,
      maxTaskQueueActivitiesPerSecond: config.ERP_MAX_ACTIVITIES_PER_SECOND,
    }),
    Worker.create({
      ...common,
      taskQueue: TASK_QUEUES.wms,
      activities: activities.wms,
      maxTaskQueueActivitiesPerSecond: config.WMS_MAX_ACTIVITIES_PER_SECOND,
    }),
    Worker.create({
      ...common,
      taskQueue: TASK_QUEUES.cms,
      activities: activities.cms,
      maxTaskQueueActivitiesPerSecond: config.CMS_MAX_ACTIVITIES_PER_SECOND,
    }),
  ]);
  return {
    async run() {
      try {
        // Once the workers are polling, so a poller's first task finds one.
        const pollers = ensurePollers(client, config).then((ids) => {
          if (ids.length) console.log(`inbound pollers running: ${ids.join(', ')}`);
        });
        await Promise.all([...workers.map((w) => w.run()), pollers]);
      } finally {
        await client.connection.close();
        await connection.close();
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
