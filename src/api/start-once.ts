import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { EventOutcome } from './routes';


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
): Promise<EventOutcome> {
  try {
    const handle = await client.workflow.start(workflow, {
      ...options,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
    return { status: 'started', workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const existing = await client.workflow.getHandle(options.workflowId).describe();
    // A run with this id already exists (running or closed): nothing was started.
    return { status: 'duplicate', workflowId: existing.workflowId, runId: existing.runId };
  }
}
