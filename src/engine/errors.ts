/**
 * An error the user caused and can fix (a malformed file, an unknown option, a bad config field).
 * Hosts show `message` as is — one clear sentence naming the file, line, column or field — and
 * never a stack trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && e.name === 'UserError';
}
