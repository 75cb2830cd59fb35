import type { RunOutcome } from '../../store/types.js';
import type { RunJob } from '../job.js';

/** Parent → child. */
export type ToChild =
  | { readonly type: 'init'; readonly plugins: readonly string[] }
  | { readonly type: 'run'; readonly job: RunJob; readonly eventsPath: string };

/** Child → parent. */
export type FromChild =
  | { readonly type: 'started'; readonly id: string; readonly worker: string }
  | { readonly type: 'progress'; readonly id: string; readonly task: number }
  | { readonly type: 'done'; readonly id: string; readonly outcome: RunOutcome }
  | { readonly type: 'failed'; readonly id: string; readonly error: string };
