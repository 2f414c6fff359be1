import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ChangeFeedName, InboundActivities, PollPageResult } from '../../activities/inbound/poll';
import { TASK_QUEUES } from '../task-queues';

/**
 * Inbound changes from a system that cannot push them (Tryton has no webhooks). One run per feed
 * (its workflow id), so two pollers of one feed never overlap, whatever number of workers start
 * it. Each round reads one page after the cursor and hands every change to the run it concerns,
 * through the same routes the webhooks use; the cursor moves only once that page is delivered, so
 * a poll that dies mid-page is read again from the same cursor (what is delivered twice is dropped
 * by its run: entities and stock levels keep the highest version they applied).
 */
export const POLL_CHANGES_FLOW = 'poll-changes';

export const pollChangesWorkflowId = (feed: ChangeFeedName): string => `poll/${feed}`;

export interface PollStats {
  polls: number;
  delivered: number;
  echoes: number;
  ignored: number;
  continuedAsNew: number;
  /** When the last page was read (workflow time, ISO), for the Web UI and `hub` operators. */
  lastPollAt: string | null;
}

export interface PollChangesInput {
  feed: ChangeFeedName;
  /** Where the next poll starts (opaque, from the connector); null: from the system's first record. */
  cursor: string | null;
  /** Pause between polls that found nothing more: the lag a change can wait before it is seen. */
  everyMs?: number;
  pageSize?: number;
  stats?: PollStats;
  maxHistoryEvents?: number;
}

/** Ask for a poll now instead of at the end of the pause (tests, and an operator who just fixed data). */
export const pollNowSignal = defineSignal('pollNow');
export const pollStateQuery = defineQuery<{ cursor: string | null; stats: PollStats }>('pollState');

const TASK_QUEUE_OF: Record<ChangeFeedName, string> = {
  'erp-items': TASK_QUEUES.erp,
  'wms-shipments': TASK_QUEUES.wms,
  'wms-stock': TASK_QUEUES.wms,
};

export async function pollChanges(input: PollChangesInput): Promise<never> {
  // Polling an unreachable system is retried for as long as it takes: the poller is the only way
  // its changes reach the hub, so it must outlast an outage instead of failing and falling silent.
  const acts = proxyActivities<InboundActivities>({
    taskQueue: TASK_QUEUE_OF[input.feed],
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  let cursor = input.cursor;
  const stats: PollStats = input.stats ?? { polls: 0, delivered: 0, echoes: 0, ignored: 0, continuedAsNew: 0, lastPollAt: null };
  let pollNow = false;
  setHandler(pollNowSignal, () => {
    pollNow = true;
  });
  setHandler(pollStateQuery, () => ({ cursor, stats }));

  for (;;) {
    pollNow = false;
    const page: PollPageResult = await acts.pollChangeFeed({ feed: input.feed, cursor, limit: input.pageSize ?? 100 });
    cursor = page.cursor;
    stats.polls++;
    stats.delivered += page.delivered;
    stats.echoes += page.echoes;
    stats.ignored += page.ignored;
    stats.lastPollAt = new Date().toISOString();
    setCurrentDetails(`${input.feed}: ${stats.delivered} changes delivered, ${stats.echoes} echoes of the hub's own writes dropped; last poll ${stats.lastPollAt}`);

    const { historyLength, continueAsNewSuggested } = workflowInfo();
    if (continueAsNewSuggested || historyLength > (input.maxHistoryEvents ?? 2_000)) {
      stats.continuedAsNew++;
      await continueAsNew<typeof pollChanges>({ ...input, cursor, stats });
    }
    if (!page.more) await condition(() => pollNow, input.everyMs ?? 5_000);
  }
}
