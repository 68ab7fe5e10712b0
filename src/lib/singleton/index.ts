/**
 * One value per process, whatever loads the module: Next can load a module in more than one bundle
 * (instrumentation, route handlers, pages) and dev hot reload re-evaluates modules, but a pool, a
 * registry or shutdown state must exist once. The Epic Stack's `remember()` is the model.
 */
const store = ((
  globalThis as typeof globalThis & { __slipwaySingletons?: Map<string, unknown> }
).__slipwaySingletons ??= new Map<string, unknown>());

/** The value registered under `name`, created by `create` on first use. */
export function singleton<T>(name: string, create: () => T): T {
  if (!store.has(name)) store.set(name, create());
  return store.get(name) as T;
}

/**
 * Removes `name` and returns its value, if one was created: the next `singleton(name, …)` creates
 * a new one (closing a pool; tests that change the environment).
 */
export function releaseSingleton<T>(name: string): T | undefined {
  const value = store.get(name) as T | undefined;
  store.delete(name);
  return value;
}
