import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

export interface StartOutcome {
  workflowId: string;
  runId: string;
  /** True when a run with this id already existed (running or closed), so nothing was started. */
  duplicate: boolean;
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
): Promise<StartOutcome> {
  try {
    const handle = await client.workflow.start(workflow, {
      ...options,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, duplicate: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const existing = await client.workflow.getHandle(options.workflowId).describe();
    return { workflowId: existing.workflowId, runId: existing.runId, duplicate: true };
  }
}
