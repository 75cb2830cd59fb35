import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LIMITS } from '../../scenario/limits.js';
import { ClbenchError } from '../../util/errors.js';

/** An IDX array of unsigned bytes: `dims` in file order (row-major), `data` of product(dims) bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
/** IDX type codes other than unsigned byte: valid IDX, but not something we can load. */
const OTHER_IDX_TYPES = new Set([0x09, 0x0b, 0x0c, 0x0d, 0x0e]);
const MAX_DIMS = 4;

/**
 * Reads an IDX file of unsigned bytes, plain or gzip-compressed (detected by content, not name).
 * Every problem is reported as a ClbenchError naming the file.
 */
export function readIdx(path: string): IdxArray {
  const bytes = maybeGunzip(path, readBytes(path));
  const dims = parseHeader(path, bytes);
  const headerLength = 4 + 4 * dims.length;
  const expected = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - headerLength;
  if (found < expected) {
    throw idxError(path, `truncated: expected ${expected} bytes of data, found ${found}`);
  }
  if (found > expected) {
    throw idxError(path, `size mismatch: expected ${expected} bytes of data, found ${found} (trailing bytes)`);
  }
  // A standalone copy, so data.buffer holds exactly the array (safe to hand to typed-array consumers).
  const data = new Uint8Array(expected);
  data.set(bytes.subarray(headerLength));
  return { dims, data };
}

/** `dir/baseName` if present, else `dir/baseName.gz`; throws naming both when neither exists. */
export function resolveIdxFile(dir: string, baseName: string): string {
  const plain = join(dir, baseName);
  if (existsSync(plain)) return plain;
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return gz;
  throw new ClbenchError(`IDX file not found: tried ${plain} and ${gz}`);
}

function idxError(path: string, what: string, cause?: unknown): ClbenchError {
  return new ClbenchError(`IDX file ${path}: ${what}`, cause === undefined ? undefined : { cause });
}

function readBytes(path: string): Uint8Array {
  try {
    if (statSync(path).size > LIMITS.maxIdxBytes) throw idxError(path, `larger than ${LIMITS.maxIdxBytes} bytes`);
    return readFileSync(path);
  } catch (err) {
    if (err instanceof ClbenchError) throw err;
    if (isErrnoCode(err, 'ENOENT')) throw idxError(path, 'does not exist', err);
    throw idxError(path, `unreadable: ${errorReason(err)}`, err);
  }
}

function maybeGunzip(path: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    // Bounded: a small gzip bomb would otherwise expand into gigabytes before any check.
    return gunzipSync(bytes, { maxOutputLength: LIMITS.maxIdxBytes });
  } catch (err) {
    if (isErrnoCode(err, 'ERR_BUFFER_TOO_LARGE')) throw idxError(path, `decompresses to more than ${LIMITS.maxIdxBytes} bytes`, err);
    throw idxError(path, `unreadable: gzip decompression failed (${errorReason(err)})`, err);
  }
}

/** Validates the magic number and returns the dimensions. */
function parseHeader(path: string, bytes: Uint8Array): number[] {
  if (bytes.length < 4) {
    throw idxError(path, `not an IDX file (only ${bytes.length} bytes, shorter than the 4-byte magic)`);
  }
  const [zero0, zero1, type, ndims] = bytes;
  const magicHex = `0x${hex(zero0)}${hex(zero1)}${hex(type)}${hex(ndims)}`;
  const looksIdx = zero0 === 0 && zero1 === 0 && ndims >= 1 && ndims <= MAX_DIMS;
  if (looksIdx && OTHER_IDX_TYPES.has(type)) {
    throw idxError(path, `unsupported IDX data type 0x${hex(type)} (magic ${magicHex}); only 0x08 (unsigned byte) is supported`);
  }
  if (!looksIdx || type !== UNSIGNED_BYTE) {
    throw idxError(path, `not an IDX file (magic ${magicHex})`);
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw idxError(path, `truncated: header needs ${headerLength} bytes, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerLength);
  const dims: number[] = [];
  for (let k = 0; k < ndims; k++) dims.push(view.getUint32(4 + 4 * k, false));
  return dims;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function errorReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
