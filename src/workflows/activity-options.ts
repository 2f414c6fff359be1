import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { TASK_QUEUES, type SystemTaskQueue } from './task-queues';

/**
 * The retry policies the flows share, in one place so every flow treats a system the same way.
 * 4xx answers are non-retryable and fail at once whatever the policy (see activities/http.ts).
 */

/**
 * Calls that change a system: retried with backoff for a while (an ERP that is down for a few
 * minutes should not roll back a product), then given up on so the saga can unwind.
 */
export const doOptions = (system: SystemTaskQueue): ActivityOptions => ({
  taskQueue: TASK_QUEUES[system],
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Undos get more patience than the calls they undo: giving up leaves an orphan for a human.
 * They still end, so a failed undo is surfaced instead of retried forever out of sight.
 */
export const undoOptions = (system: SystemTaskQueue): ActivityOptions => ({
  taskQueue: TASK_QUEUES[system],
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * The same patience for calls run as local activities: in the worker that runs the workflow,
 * with no activity task on the server. For short calls on a hot path (the product-created flow
 * under a bulk import) that is ~3× less work for Temporal per call. What they give up: the
 * system queue's server-side rate limit (the worker's micro-batchers and the systems' own 429s,
 * honoured through Retry-After, pace them instead). Undos stay ordinary activities.
 */
export const localDoOptions: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  // Backoffs longer than this become durable timers instead of waiting in the worker's memory.
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * Do options for a saga step whose undo must not overtake it (saga.ts). With the SDK's default
 * cancellation type (TRY_CANCEL) a cancelled activity's promise rejects at once while the
 * activity goes on running in a worker: the saga would run the undo, find nothing, and the do
 * would then commit an orphan. WAIT_CANCELLATION_COMPLETED makes the promise settle only once
 * the activity has really ended, so the saga's "await every in-flight do" means "the call is
 * over". That holds for local activities too (the worker waits for the function to return).
 *
 * Why the do activities do not heartbeat to learn of the cancel sooner: each is one write
 * (plus reads) to another system, and a request already sent cannot be taken back by aborting
 * it (the system may commit anyway, and the abort would turn a known outcome into an unknown
 * one). So a cancelled do finishes its attempt (bounded by startToCloseTimeout) and its result
 * is reported; the server schedules no further attempt once a cancel is requested, and one
 * waiting in backoff is cancelled at once with nothing in flight.
 *
 * Runs started before this existed recorded TRY_CANCEL's behaviour, so flows choose this
 * behind a patch (see SETTLE_BEFORE_UNDO_PATCH).
 */
export function settleBeforeUndo<O extends ActivityOptions | LocalActivityOptions>(options: O): O {
  return { ...options, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
}

/** Patch id of flows whose do activities wait for cancellation to complete (settleBeforeUndo). */
export const SETTLE_BEFORE_UNDO_PATCH = 'saga-undo-after-do-settles';
