import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, existsSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** One state change. Kept tiny and generic so the journal does not care about the domain. */
export type JournalOp =
  | { o: 'put'; c: string; k: string; v: unknown; s?: number }
  | { o: 'del'; c: string; k: string }
  | { o: 'ctr'; k: string; v: number };

/**
 * One line of the journal = one request's writes (record, idempotency result, outbox entries,
 * counters). Writing them as a single line makes a request all-or-nothing on disk: a crash
 * mid-write leaves a torn last line, which replay drops as a whole.
 */
export interface JournalLine {
  t: string;
  ops: JournalOp[];
}

/**
 * Append-only JSONL file. Appends are synchronous so a response is only sent after its line has
 * reached the OS (it survives a process crash; an fsync per write would make bulk loads of
 * thousands of records needlessly slow for a simulator, and power loss is out of scope).
 */
export class Journal {
  private fd: number;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens (creating if needed) and returns the complete lines already in the file. */
  static open(file: string): { journal: Journal; lines: JournalLine[] } {
    mkdirSync(dirname(file), { recursive: true });
    const lines: JournalLine[] = [];
    let validBytes = 0;
    let tornTail = false;
    if (existsSync(file)) {
      const buf = readFileSync(file);
      let start = 0;
      let lineNo = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl === -1) break;
        lineNo++;
        const text = buf.toString('utf8', start, nl).trim();
        if (text) {
          try {
            lines.push(JSON.parse(text) as JournalLine);
          } catch {
            // A complete (newline-terminated) line that does not parse is not a torn write but
            // damage; refusing to start beats silently serving partial data.
            throw new Error(`journal ${file} is corrupt at line ${lineNo}; move it away to start empty`);
          }
        }
        start = nl + 1;
      }
      validBytes = start;
      tornTail = start < buf.length;
    }
    const fd = openSync(file, 'a');
    // Cut the torn tail, or the next append would be glued onto it and corrupt a good line.
    if (tornTail) ftruncateSync(fd, validBytes);
    return { journal: new Journal(file, fd), lines };
  }

  append(line: JournalLine): void {
    const data = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
    let offset = 0;
    while (offset < data.length) offset += writeSync(this.fd, data, offset, data.length - offset);
  }

  /** Empties the file (control API reset). Appends continue at the new end because of 'a'. */
  truncate(): void {
    ftruncateSync(this.fd, 0);
  }

  close(): void {
    closeSync(this.fd);
  }
}
