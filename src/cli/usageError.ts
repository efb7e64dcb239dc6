import type { JsonError } from './jsonErrors.js';

/**
 * A problem with what the user gave (a manifest, a flag), worded completely: printed as it is,
 * without kubectl's `error: ` prefix being added again. `details` is what `-o json` reports.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly details?: JsonError[],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
