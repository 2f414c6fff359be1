import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { EventOutcome } from './routes';

export interface StartOnceOptions {
  /**
   * Let the event start a new run when the last one with this id failed, was terminated, timed
   * out or was cancelled (ALLOW_DUPLICATE_FAILED_ONLY); a run that completed still refuses
   * duplicates. For flows whose failure loses business (a paid order rolled back by an outage):
   * a re-delivered event, an operator or a reconciliation then brings it back.
   */
  restartFailed?: boolean;
}

/**
 * Starts a workflow at most once per workflow id. Temporal is the deduplication store: the id
 * derives from the event, REJECT_DUPLICATE refuses a second run even after the first closed
 * (within the namespace's retention), and FAIL refuses one while the first is running. So
 * duplicates and replays of a webhook, days apart or a millisecond apart, start nothing twice,
 * and the bridge keeps no state of its own.
 */
export async function startOnce<W extends Workflow>(
  client: Client,
  workflow: W,
  options: WorkflowStartOptions<W>,
  { restartFailed = false }: StartOnceOptions = {},
): Promise<EventOutcome> {
  try {
    const handle = await client.workflow.start(workflow, {
      ...options,
      workflowIdReusePolicy: restartFailed ? 'ALLOW_DUPLICATE_FAILED_ONLY' : 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
    return { status: 'started', workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const existing = await client.workflow.getHandle(options.workflowId).describe();
    // A run with this id already exists (running, or closed and not to be restarted): nothing was started.
    return { status: 'duplicate', workflowId: existing.workflowId, runId: existing.runId };
  }
}
