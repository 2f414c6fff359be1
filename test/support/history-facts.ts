/**
 * What a saved history (Temporal's JSON form, payloads in plain JSON) says about its run: the
 * workflow type, the patch markers it recorded, how it ended and what it was given and returned.
 * Used by the replay test and by scripts/pick-histories.ts to name fixtures.
 */
export interface HistoryFacts {
  workflowType: string;
  /** Patch ids of its `patched()` markers, in the order recorded. */
  patches: string[];
  end: 'completed' | 'failed' | 'continued-as-new' | 'terminated' | 'canceled' | 'timed-out' | 'open';
  input: unknown;
  result: unknown;
  /** How a failed run failed: the failure's type (an ApplicationFailure's) and message. */
  failure: { type: string; message: string } | null;
  signals: Array<{ name: string; arg: unknown }>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}
type Attributes = Record<string, unknown> & { input?: { payloads?: JsonPayload[] }; result?: { payloads?: JsonPayload[] } };
interface JsonEvent {
  eventType: string;
  [attributes: string]: unknown;
}

const ENDS: Record<string, HistoryFacts['end']> = {
  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: 'completed',
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 'failed',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'continued-as-new',
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: 'terminated',
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: 'canceled',
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: 'timed-out',
};

/** A plain JSON payload's value; undefined for anything else (binary, or still encrypted). */
export function payloadValue(p: JsonPayload | undefined): unknown {
  if (!p?.metadata?.encoding || Buffer.from(p.metadata.encoding, 'base64').toString() !== 'json/plain') return undefined;
  return p.data === undefined ? undefined : JSON.parse(Buffer.from(p.data, 'base64').toString());
}

const attributesOf = (e: JsonEvent): Attributes => (Object.entries(e).find(([k]) => k.endsWith('EventAttributes'))?.[1] ?? {}) as Attributes;

export function historyFacts(history: unknown): HistoryFacts {
  const events = (history as { events?: JsonEvent[] }).events;
  if (!Array.isArray(events) || events.length === 0) throw new Error('not a history: no events');
  const started = attributesOf(events[0]!) as Attributes & { workflowType?: { name?: string } };
  if (events[0]!.eventType !== 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' || !started.workflowType?.name) throw new Error('not a history: it does not begin with the workflow start');
  const last = events[events.length - 1]!;
  const closing = attributesOf(last) as Attributes & { failure?: { message?: string; applicationFailureInfo?: { type?: string } } };
  const end = ENDS[last.eventType] ?? 'open';
  const patches: string[] = [];
  const signals: HistoryFacts['signals'] = [];
  for (const e of events) {
    const a = attributesOf(e) as Attributes & { markerName?: string; details?: Record<string, { payloads?: JsonPayload[] }>; signalName?: string };
    if (e.eventType === 'EVENT_TYPE_MARKER_RECORDED' && a.markerName === 'core_patch') {
      const id = (payloadValue(a.details?.['patch-data']?.payloads?.[0]) as { id?: string } | undefined)?.id;
      if (id) patches.push(id);
    }
    if (e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED') signals.push({ name: a.signalName ?? '', arg: payloadValue(a.input?.payloads?.[0]) });
  }
  return {
    workflowType: started.workflowType.name,
    patches,
    end,
    input: payloadValue(started.input?.payloads?.[0]),
    result: end === 'completed' ? payloadValue(closing.result?.payloads?.[0]) : undefined,
    failure: end === 'failed' ? { type: closing.failure?.applicationFailureInfo?.type ?? '', message: closing.failure?.message ?? '' } : null,
    signals,
  };
}
