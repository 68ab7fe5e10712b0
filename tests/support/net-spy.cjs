/**
 * Preloaded into a server under test (NODE_OPTIONS=--require …/net-spy.cjs): prints every outbound
 * TCP connection as one `[net-spy] connect HOST:PORT` line on stderr, so a test can prove which
 * hosts the server talked to (e.g. none but the database when Sentry is not configured).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload for node --require
const net = require("node:net");

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  try {
    const first = args[0];
    const options = Array.isArray(first) ? first[0] : first;
    let target;
    if (options && typeof options === "object") {
      target = options.path ? `unix:${options.path}` : `${options.host ?? "localhost"}:${options.port}`;
    } else if (typeof first === "number" || typeof first === "string") {
      target = typeof args[1] === "string" ? `${args[1]}:${first}` : `localhost:${first}`;
    }
    if (target) process.stderr.write(`[net-spy] connect ${target}\n`);
  } catch {
    // never interfere with the connection itself
  }
  return original.apply(this, args);
};
