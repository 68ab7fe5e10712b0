// An empty module: what `server-only` resolves to in the server bundle (scripts/build-server.mjs),
// which runs outside React Server Components where that guard has no meaning.
export {};
