import { HttpError } from './errors';
import type { Journal, JournalLine, JournalOp } from './journal';

interface Entry {
  /** Creation order; pagination cursors point at it so they survive deletions. */
  seq: number;
  value: unknown;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A named set of records in the store, with optional secondary indexes for O(1) lookups. */
export class Collection<T> {
  /** @internal */ readonly entries = new Map<string, Entry>();
  /** @internal */ readonly indexes = new Map<string, { fn: (v: T) => string | null; map: Map<string, Set<string>> }>();

  constructor(readonly name: string) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value as T | undefined;
  }

  /** Records whose index `index` has `value`, in creation order. */
  findBy(index: string, value: string): T[] {
    const idx = this.indexes.get(index);
    if (!idx) throw new Error(`collection ${this.name} has no index ${index}`);
    return this.sortedKeys(idx.map.get(value) ?? new Set()).map((k) => this.get(k) as T);
  }

  /** All records in creation order. */
  *values(): IterableIterator<T> {
    for (const e of this.entries.values()) yield e.value as T;
  }

  /**
   * A page of records matching `filter`, in creation order. When `index` is given the scan only
   * visits that index's records, so `?sku=` lookups stay cheap with thousands of records.
   */
  page(opts: { limit: number; cursor?: string; filter?: (v: T) => boolean; index?: { name: string; value: string } }): Page<T> {
    const after = opts.cursor === undefined ? 0 : decodeCursor(opts.cursor);
    const filter = opts.filter ?? (() => true);
    const keys: Iterable<string> = opts.index
      ? this.sortedKeys(this.indexes.get(opts.index.name)?.map.get(opts.index.value) ?? new Set())
      : this.entries.keys();
    const data: T[] = [];
    let lastSeq = 0;
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry || entry.seq <= after) continue;
      const value = entry.value as T;
      if (!filter(value)) continue;
      if (data.length === opts.limit) {
        // One more match exists, so there is a next page, starting after the last one returned.
        return { data, next_cursor: encodeCursor(lastSeq) };
      }
      data.push(value);
      lastSeq = entry.seq;
    }
    return { data, next_cursor: null };
  }

  private sortedKeys(keys: Set<string>): string[] {
    return [...keys].sort((a, b) => (this.entries.get(a)?.seq ?? 0) - (this.entries.get(b)?.seq ?? 0));
  }
}

// Cursors are opaque to clients (base64url JSON), so the encoding can change without breaking them.
function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 's' in parsed && Number.isInteger(parsed.s)) {
      return parsed.s as number;
    }
  } catch {
    // fall through: an undecodable cursor is the client's mistake
  }
  throw new HttpError(400, 'invalid_cursor', 'cursor is not one this API returned');
}

/**
 * Collects one request's writes. They are applied to memory immediately (handlers validate
 * first and write last, so a write is never followed by a refusal) and journalled as one line
 * when the transaction ends — even if the handler throws afterwards, so memory and disk agree.
 */
export class Tx {
  readonly ops: JournalOp[] = [];
  /** Callbacks to run once the line is on disk (e.g. wake the webhook dispatcher). */
  readonly afterCommit: Array<() => void> = [];

  constructor(private readonly store: Store) {}

  put<T>(coll: Collection<T>, key: string, value: T): void {
    const op: JournalOp = { o: 'put', c: coll.name, k: key, v: value };
    if (!coll.entries.has(key)) op.s = this.store.nextSeq();
    this.store.apply(op);
    this.ops.push(op);
  }

  del<T>(coll: Collection<T>, key: string): void {
    if (!coll.entries.has(key)) return;
    const op: JournalOp = { o: 'del', c: coll.name, k: key };
    this.store.apply(op);
    this.ops.push(op);
  }

  /** Next value of a persisted counter (ids, per-entity event sequences). Starts at 1. */
  next(counter: string): number {
    const op: JournalOp = { o: 'ctr', k: counter, v: this.store.counter(counter) + 1 };
    this.store.apply(op);
    this.ops.push(op);
    return op.v;
  }
}

/** In-memory state rebuilt from the journal on start; every change goes through a Tx. */
export class Store {
  private readonly collections = new Map<string, Collection<unknown>>();
  private readonly counters = new Map<string, number>();
  private seq = 0;
  private journal: Journal | undefined;

  collection<T>(name: string, indexes: Record<string, (v: T) => string | null> = {}): Collection<T> {
    if (this.collections.has(name)) throw new Error(`collection ${name} defined twice`);
    const coll = new Collection<T>(name);
    for (const [idx, fn] of Object.entries(indexes)) coll.indexes.set(idx, { fn, map: new Map() });
    this.collections.set(name, coll as Collection<unknown>);
    return coll;
  }

  /** Replays the journal's lines; collections must be defined first so indexes are rebuilt. */
  load(journal: Journal, lines: JournalLine[]): void {
    this.journal = journal;
    for (const line of lines) for (const op of line.ops) this.apply(op);
  }

  tx<R>(fn: (tx: Tx) => R): R {
    const tx = new Tx(this);
    try {
      return fn(tx);
    } finally {
      if (tx.ops.length > 0) {
        this.journal?.append({ t: new Date().toISOString(), ops: tx.ops });
        for (const cb of tx.afterCommit) cb();
      }
    }
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** @internal */
  nextSeq(): number {
    return ++this.seq;
  }

  /** Record counts of the domain collections (those not starting with "_"). */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, coll] of this.collections) if (!name.startsWith('_')) out[name] = coll.size;
    return out;
  }

  /** Wipes memory and the journal. */
  reset(): void {
    this.journal?.truncate();
    for (const coll of this.collections.values()) {
      coll.entries.clear();
      for (const idx of coll.indexes.values()) idx.map.clear();
    }
    this.counters.clear();
    this.seq = 0;
  }

  /** @internal */
  apply(op: JournalOp): void {
    if (op.o === 'ctr') {
      this.counters.set(op.k, op.v);
      return;
    }
    const coll = this.collections.get(op.c);
    // A collection that no longer exists in code: its history is simply ignored.
    if (!coll) return;
    const old = coll.entries.get(op.k);
    if (old) unindex(coll, op.k, old.value);
    if (op.o === 'del') {
      coll.entries.delete(op.k);
      return;
    }
    const seq = old?.seq ?? op.s ?? this.nextSeq();
    if (seq > this.seq) this.seq = seq;
    coll.entries.set(op.k, { seq, value: op.v });
    for (const idx of coll.indexes.values()) {
      const v = idx.fn(op.v);
      if (v === null) continue;
      let set = idx.map.get(v);
      if (!set) idx.map.set(v, (set = new Set()));
      set.add(op.k);
    }
  }
}

function unindex(coll: Collection<unknown>, key: string, value: unknown): void {
  for (const idx of coll.indexes.values()) {
    const v = idx.fn(value);
    if (v === null) continue;
    const set = idx.map.get(v);
    set?.delete(key);
    if (set?.size === 0) idx.map.delete(v);
  }
}
