import { closeSync, openSync, writeSync } from 'node:fs';
import type { RunEvent } from '../../events/run-events.js';

/**
 * Writes each event to events.jsonl as it happens (one synchronous write per event), so a crash
 * loses at most the step in progress. Opening truncates: the log belongs to the run that writes
 * result.json beside it, not to an earlier, interrupted one.
 */
export class JsonlLog {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(event: RunEvent): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
