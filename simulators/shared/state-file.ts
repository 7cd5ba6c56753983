import { mkdirSync, readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A simulator's state as one JSON file, written atomically (temp file + rename), so a simulator
 * killed at any moment and restarted finds either the previous or the new state, never a torn file.
 *
 * `persist()` resolves once a write that started after the call has completed: handlers await it
 * before answering, so an acknowledged change survives a kill. Concurrent calls are coalesced
 * (at most one write in flight plus one queued), which keeps bulk traffic cheap.
 */
export class JsonStateFile<T> {
  readonly file: string;
  private writing: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private tmpCounter = 0;

  constructor(
    dataDir: string,
    fileName: string,
    private readonly snapshot: () => T,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, fileName);
  }

  /** Reads the persisted state, or undefined when there is none yet. A corrupt file is an error. */
  load(): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`simulator state file ${this.file} is not valid JSON; move it away to start empty`, {
        cause: error,
      });
    }
  }

  persist(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.writing) return this.startWrite();
    this.queued = this.writing
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.startWrite();
      });
    return this.queued;
  }

  private startWrite(): Promise<void> {
    const write = this.writeNow().finally(() => {
      if (this.writing === write) this.writing = null;
    });
    this.writing = write;
    return write;
  }

  private async writeNow(): Promise<void> {
    const text = JSON.stringify(this.snapshot());
    const tmp = `${this.file}.${process.pid}.${++this.tmpCounter}.tmp`;
    try {
      await writeFile(tmp, text, 'utf8');
      await rename(tmp, this.file);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }
}
