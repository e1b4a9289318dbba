/** Thrown by every decoder on malformed or truncated input, so callers can catch one type. */
export class TdsDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TdsDecodeError';
  }
}
