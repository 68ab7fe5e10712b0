import { SMTPServer } from "smtp-server";
import { freePort } from "../../scripts/embedded-postgres";

/**
 * A real SMTP server for tests (the smtp-server package), on a free loopback port, requiring the
 * credentials in its URL (AUTH PLAIN/LOGIN, no TLS: loopback only). It keeps every message it
 * accepts, so tests count deliveries per idempotency key and follow the links in them. Nothing is
 * mocked: the worker's nodemailer speaks SMTP to it.
 *
 *   const smtp = await startSmtpServer();
 *   env.SMTP_URL = smtp.url;                              // smtp://user:pass@127.0.0.1:PORT
 *   const [mail] = await smtp.waitFor((mails) => mails.find((m) => m.to === "a@example.com"));
 *   mail.link;                                            // the first http(s) link of its text
 *   await smtp.stop();
 */

export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  messageId: string;
  /** X-Slipway-Idempotency-Key: the same for every attempt at the same email. */
  idempotencyKey: string | undefined;
  /** The plain-text part, decoded. */
  text: string;
  /** The first link of the text part. */
  link: string | undefined;
  receivedAt: number;
}

export interface SmtpServerHandle {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Resolves with `find`'s result once it is defined (checked on every new mail), or rejects after the timeout. */
  waitFor: <T>(find: (mails: ReceivedMail[]) => T | undefined, timeoutMs?: number) => Promise<T>;
  /** Holds each accepted message this long before answering 250 (a slow relay): sends in flight longer. */
  setDelay: (ms: number) => void;
  /** Stops listening (a second call waits for the first). */
  stop: () => Promise<void>;
}

const decodeQuotedPrintable = (text: string) =>
  text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

function header(head: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, "im").exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, " ").trim();
}

/** The text/plain part of a (possibly multipart) message, transfer-decoded. */
function plainText(raw: string): string {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  const parts = boundary ? raw.split(`--${boundary}`) : [raw];
  const part = parts.find((candidate) => /content-type:\s*text\/plain/i.test(candidate)) ?? parts[0]!;
  const split = part.search(/\r?\n\r?\n/);
  const [head, body] = [part.slice(0, split), part.slice(split).trim()];
  const encoding = header(head, "Content-Transfer-Encoding")?.toLowerCase();
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  if (encoding === "base64") return Buffer.from(body, "base64").toString("utf8");
  return body;
}

export async function startSmtpServer(options: { user?: string; password?: string } = {}): Promise<SmtpServerHandle> {
  const user = options.user ?? "slipway";
  const password = options.password ?? "smtp-test-password";
  const port = await freePort();
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let delayMs = 0;
  let stopped: Promise<void> | undefined;

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
        const text = plainText(raw);
        const accept = () => {
          mails.push({
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(","),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            subject: header(head, "Subject") ?? "",
            messageId: header(head, "Message-ID") ?? "",
            idempotencyKey: header(head, "X-Slipway-Idempotency-Key"),
            text,
            link: /https?:\/\/\S+/.exec(text)?.[0],
            receivedAt: Date.now(),
          });
          for (const wake of waiters) wake();
          callback();
        };
        if (delayMs > 0) setTimeout(accept, delayMs);
        else accept();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  server.on("error", () => {});

  return {
    url: `smtp://${user}:${password}@127.0.0.1:${port}`,
    port,
    mails,
    setDelay: (ms) => {
      delayMs = ms;
    },
    waitFor: (find, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = find(mails);
          if (found === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such mail within ${timeoutMs} ms (${mails.length} received)`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    stop: () => (stopped ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
