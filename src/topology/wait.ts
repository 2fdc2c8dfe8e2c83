// Waiting for a topology's state: polls a check until it holds or the deadline passes. A check
// that throws (a node not listening yet, a reply error) counts as "not yet"; the last such error
// is named when the wait times out, so a failure says what was wrong, not only that it was slow.

const POLL_INTERVAL_MS = 50;

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: Error | null = null;
  for (;;) {
    try {
      if (await check()) return;
      lastError = null;
    } catch (err) {
      lastError = err as Error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === null ? '' : ` (last error: ${lastError.message})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
