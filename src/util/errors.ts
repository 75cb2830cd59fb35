/**
 * An error caused by the user's input (scenario, flags, files). The CLI prints its message alone,
 * without a stack trace, and exits non-zero.
 */
export class ClbenchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClbenchError';
  }
}
