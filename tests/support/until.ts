/**
 * Polls `read` until it returns a value (not undefined), at most `timeoutMs`: the tests' one way to
 * wait for a condition in another process. `diagnose` says what was going on when it timed out.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 90_000,
  diagnose?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${diagnose ? `\n${await diagnose().catch(String)}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
