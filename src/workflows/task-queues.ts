/**
 * One task queue per external system, so each gets its own server-side rate limit
 * (maxTaskQueueActivitiesPerSecond) and its own worker concurrency: a slow or throttled ERP
 * backs up ERP calls only, not the WMS or CMS.
 */
export const TASK_QUEUES = {
  workflows: 'hub-workflows',
  medusa: 'hub-medusa',
  erp: 'hub-erp',
  wms: 'hub-wms',
  cms: 'hub-cms',
} as const;

export type SystemTaskQueue = Exclude<keyof typeof TASK_QUEUES, 'workflows'>;
