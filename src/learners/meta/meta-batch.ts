import * as tf from '../../backend/tf.js';
import type { Episode } from '../../streams/episodes.js';
import type { ProblemKind, Split } from '../../streams/types.js';
import { type HostRows, uploadRows } from '../../streams/upload.js';
import type { Batch, EpisodeBatch, MetaBatch } from '../types.js';

/** The splits' rows one after another, on the host (labels stay int32 ids for classification). */
function concatSplits(splits: readonly Split[], kind: ProblemKind): HostRows {
  const n = splits.reduce((a, s) => a + s.n, 0);
  const x = new Float32Array(splits.reduce((a, s) => a + s.x.length, 0));
  const labels = splits.reduce((a, s) => a + s.y.length, 0);
  const y = kind === 'classification' ? new Int32Array(labels) : new Float32Array(labels);
  let xAt = 0;
  let yAt = 0;
  for (const s of splits) {
    x.set(s.x, xAt);
    y.set(s.y, yAt);
    xAt += s.x.length;
    yAt += s.y.length;
  }
  return { x, y, n };
}

/** Splits as one batch: rows concatenated, or (with `stackTasks`) stacked along a leading task axis. */
export function uploadSplits(splits: readonly Split[], kind: ProblemKind, stackTasks = false): Batch {
  const rows = concatSplits(splits, kind);
  const leading = stackTasks ? [splits.length, splits[0].n] : [rows.n];
  return { ...uploadRows(rows, { inputShape: splits[0].inputShape, kind }, leading), size: rows.n };
}

/** Uploads may happen on first access inside a caller's tf.tidy: keep them, the batch disposes them. */
function kept(batch: Batch): Batch {
  return { ...batch, x: tf.keep(batch.x), y: tf.keep(batch.y) };
}

/**
 * A meta-batch backed by episode descriptors: each episode's splits are materialised once, and
 * tensors are uploaded only in the form a learner asks for (per episode, or stacked over tasks).
 * The owner calls dispose() after the meta-update.
 */
export class EpisodeMetaBatch implements MetaBatch {
  private readonly supports: Split[];
  private readonly queries: Split[];
  private perEpisode?: EpisodeBatch[];
  private stackedSets?: { support: Batch; query: Batch } | null;

  constructor(private readonly source: readonly Episode[], private readonly kind: ProblemKind) {
    this.supports = source.map((e) => e.train());
    this.queries = source.map((e) => e.test());
  }

  get size(): number {
    return this.source.length;
  }

  get episodes(): readonly EpisodeBatch[] {
    this.perEpisode ??= this.source.map((e, i) => ({
      support: kept(uploadSplits([this.supports[i]], this.kind)),
      query: kept(uploadSplits([this.queries[i]], this.kind)),
      ...(e.classes ? { classes: e.classes } : {}),
    }));
    return this.perEpisode;
  }

  get stacked(): MetaBatch['stacked'] {
    if (this.stackedSets === undefined) {
      const even = (splits: Split[]) => splits.every((s) => s.n === splits[0].n);
      this.stackedSets = even(this.supports) && even(this.queries)
        ? { support: kept(uploadSplits(this.supports, this.kind, true)), query: kept(uploadSplits(this.queries, this.kind, true)) }
        : null;
    }
    return this.stackedSets ?? undefined;
  }

  /** Episode i's support and query as one batch, uploaded anew (the caller disposes it). */
  episodeData(i: number): Batch {
    return uploadSplits([this.supports[i], this.queries[i]], this.kind);
  }

  dispose(): void {
    for (const e of this.perEpisode ?? []) tf.dispose([e.support.x, e.support.y, e.query.x, e.query.y]);
    if (this.stackedSets) tf.dispose([this.stackedSets.support.x, this.stackedSets.support.y, this.stackedSets.query.x, this.stackedSets.query.y]);
    this.perEpisode = undefined;
    this.stackedSets = undefined;
  }
}
