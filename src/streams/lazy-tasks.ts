import { type Observable, map, range } from 'rxjs';
import type { Task } from './types.js';

/**
 * A cold stream of `count` task descriptors (`Infinity`: endless), task t built by `describe(t)`
 * only when the subscriber reaches it. A consumer bounds an endless stream with `take`, which
 * stops the generator as soon as it has enough.
 */
export function lazyTasks(count: number, describe: (index: number) => Task): Observable<Task> {
  return range(0, count).pipe(map(describe));
}
