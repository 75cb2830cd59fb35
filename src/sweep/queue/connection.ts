import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { ConnectionOptions } from 'bullmq';
import { ClbenchError } from '../../util/errors.js';

/** Where the queue lives: a redis:// or rediss:// (TLS) URL, with optional user:password@ and /db. */
export interface RedisTarget {
  readonly url: string;
  /** PEM file of the CA that signed the server's certificate (rediss:// with a private CA). */
  readonly tlsCa?: string;
}

export const DEFAULT_QUEUE_NAME = 'clbench';

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

/** BullMQ connection options for a target; checks the URL first so a typo is a clear error. */
export function connectionFor(target: RedisTarget): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(target.url);
  } catch {
    throw new ClbenchError(`--queue: '${redactUrl(target.url)}' is not a URL; expected redis://[user:password@]host:port[/db] or rediss://… for TLS`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ClbenchError(`--queue: unsupported scheme '${u.protocol}' in ${redactUrl(target.url)}; use redis:// or rediss:// (TLS)`);
  }
  if (!u.hostname) throw new ClbenchError(`--queue: ${redactUrl(target.url)} names no host`);
  if (u.pathname.length > 1 && !/^\/\d+$/.test(u.pathname)) {
    throw new ClbenchError(`--queue: the path of ${redactUrl(target.url)} must be a database number, e.g. redis://host:6379/0`);
  }
  if (target.tlsCa && u.protocol !== 'rediss:') throw new ClbenchError('--tls-ca needs a rediss:// (TLS) queue URL');
  let ca: Buffer | undefined;
  if (target.tlsCa) {
    try {
      ca = readFileSync(target.tlsCa);
    } catch (err) {
      throw new ClbenchError(`--tls-ca ${target.tlsCa}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return { url: target.url, ...(ca ? { tls: { ca } } : {}) };
}

function explain(target: RedisTarget, err: unknown): ClbenchError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code ?? '';
  let hint = '';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ETIMEDOUT/.test(`${code} ${message}`)) hint = '; is redis-server running there and reachable?';
  else if (/WRONGPASS|NOAUTH|NOPERM|invalid username-password/i.test(message)) hint = '; check the user and password in the URL (redis://user:password@host:port)';
  else if (/certificate|self[- ]signed|SSL|TLS|EPROTO/i.test(`${code} ${message}`)) hint = '; for a private CA pass --tls-ca <ca.pem> (or set NODE_EXTRA_CA_CERTS)';
  return new ClbenchError(`cannot use the Redis queue at ${redactUrl(target.url)}: ${message}${hint}`, { cause: err });
}

/**
 * Waits for a BullMQ object's connection, failing fast with a clear message on the first error
 * (refused, bad password, TLS) instead of retrying forever.
 */
export async function whenConnected(target: RedisTarget, ready: Promise<unknown>, emitter: EventEmitter, timeoutMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onError: ((err: unknown) => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onError = (err) => reject(explain(target, err));
      emitter.on('error', onError);
      timer = setTimeout(() => reject(new ClbenchError(`cannot use the Redis queue at ${redactUrl(target.url)}: no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      ready.then(() => resolve(), (err: unknown) => reject(explain(target, err)));
    });
  } finally {
    clearTimeout(timer);
    if (onError) emitter.off('error', onError);
  }
}

/** ioredis as BullMQ itself depends on it (clbench uses it only to probe the server). */
function ioredis(): typeof import('ioredis') {
  const fromBullmq = createRequire(createRequire(import.meta.url).resolve('bullmq'));
  return fromBullmq('ioredis') as typeof import('ioredis');
}

/**
 * Connects once, without retries, and fails with a clear message if Redis is unreachable or
 * refuses the credentials or the certificate. Checked before any queue or worker is created: a
 * BullMQ object that never connected keeps retrying, and may emit errors after it is closed.
 */
export async function probeRedis(target: RedisTarget, timeoutMs = 15_000): Promise<void> {
  const { url, tls } = connectionFor(target) as { url: string; tls?: object };
  const { Redis } = ioredis();
  const client = new Redis(url, {
    ...(tls ? { tls } : {}), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false,
  });
  let firstError: unknown;
  client.on('error', (err: unknown) => (firstError ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw explain(target, firstError ?? err);
  } finally {
    client.disconnect();
  }
}

/** Closes BullMQ objects without waiting forever on a connection that never came up. */
export async function closeQuietly(...closables: { close(): Promise<void>; disconnect(): Promise<void> }[]): Promise<void> {
  await Promise.all(
    closables.map(async (c) => {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
      await Promise.race([c.close().catch(() => {}), timeout]);
      await c.disconnect().catch(() => {});
    }),
  );
}
