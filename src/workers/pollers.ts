import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { ChangeFeedName } from '../activities/inbound/poll';
import type { WorkerConfig } from '../config';
import { pollChanges, pollChangesWorkflowId, POLL_CHANGES_FLOW } from '../workflows/inbound/poll-changes';
import { SA } from '../workflows/search-attributes';
import { TASK_QUEUES } from '../workflows/task-queues';

/** The change feeds this deployment must poll: those of every role whose connector cannot push. */
export function feedsToPoll(config: WorkerConfig): Array<{ feed: ChangeFeedName; everyMs: number }> {
  const feeds: Array<{ feed: ChangeFeedName; everyMs: number }> = [];
  const { erp, wms } = config.connectors;
  if (erp.kind === 'tryton') feeds.push({ feed: 'erp-items', everyMs: erp.pollEveryMs });
  if (wms.kind === 'tryton') feeds.push({ feed: 'wms-shipments', everyMs: wms.pollEveryMs }, { feed: 'wms-stock', everyMs: wms.pollEveryMs });
  return feeds;
}

/**
 * Starts each feed's poller unless it runs already. Every worker calls this at start: the
 * workflow id makes it one poller per feed however many workers there are, and USE_EXISTING
 * keeps a running poller (and its cursor) through deploys and restarts.
 */
export async function ensurePollers(client: Client, config: WorkerConfig): Promise<string[]> {
  const started: string[] = [];
  for (const { feed, everyMs } of feedsToPoll(config)) {
    const handle = await client.workflow.start(pollChanges, {
      workflowId: pollChangesWorkflowId(feed),
      taskQueue: TASK_QUEUES.workflows,
      args: [{ feed, cursor: null, everyMs }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `Poll ${feed}: Tryton changes → the runs they concern`,
      staticDetails: `Reads the ${feed} changes Tryton made since the last poll (it has no webhooks) every ${everyMs} ms and hands each to the route its webhook would reach; the hub's own writes are dropped as echoes.`,
      typedSearchAttributes: new TypedSearchAttributes([{ key: SA.flow, value: POLL_CHANGES_FLOW }]),
    });
    started.push(handle.workflowId);
  }
  return started;
}
