/** Runs `write` until it succeeds, waiting `retryMs` between attempts; `onFailure` hears each failure. */
export async function retryUntilDone(write: () => Promise<unknown>, retryMs: number, onFailure: (error: Error, attempt: number) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      onFailure(error as Error, attempt);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}
