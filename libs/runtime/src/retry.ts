/**
 * True for errors that no retry can cure (the data itself is refused): SQLSTATE classes 22 (data
 * exception), 23 (integrity) and 42 (syntax or access). Connection loss and server shutdown are
 * transient and worth retrying.
 */
export function isPermanentDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

/**
 * Runs `write` until it succeeds, waiting `retryMs` between attempts while the failure is
 * transient; resolves 'unstorable' at once on a permanent one, so that one poisoned message never
 * holds back the ones behind it, and 'abandoned' when `stopping()` says the process is shutting
 * down. `onFailure` hears each failure.
 */
export async function retryUntilDone(
  write: () => Promise<unknown>,
  retryMs: number,
  onFailure: (error: Error, attempt: number) => void,
  stopping: () => boolean = () => false,
): Promise<'stored' | 'unstorable' | 'abandoned'> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return 'stored';
    } catch (error) {
      onFailure(error as Error, attempt);
      if (isPermanentDatabaseError(error)) return 'unstorable';
      // Shutting down: give up without acknowledging; the broker redelivers to the next session.
      if (stopping()) return 'abandoned';
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}
