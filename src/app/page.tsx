import Link from "next/link";
import { PageFrame } from "@/components/page-frame";
import { SiteHeader } from "@/components/site-header";

const inside = [
  {
    title: "Multi-tenant by default",
    body: "Organizations are tenants. PostgreSQL row-level security isolates every tenant-owned row, so a forgotten WHERE clause cannot leak data.",
  },
  {
    title: "Auth that runs offline",
    body: "Clerk organizations in production, a signed-cookie local mode for development and demos. Webhooks provision tenants idempotently.",
  },
  {
    title: "Validated configuration",
    body: "One zod schema for every variable, *_FILE secrets, and a one-screen error that names each bad variable at start.",
  },
  {
    title: "Health you can wire",
    body: "Liveness, cached readiness, and a detailed report, plus a graceful shutdown that drains before it stops.",
  },
  {
    title: "Observability",
    body: "Structured pino logs with request ids, Sentry with scrubbing and tenant tags, Prometheus metrics.",
  },
  {
    title: "Deploy anywhere",
    body: "One Dockerfile, non-root and small; compose stacks with file secrets; Fly.io, Railway and Render manifests.",
  },
];

export default function LandingPage() {
  return (
    <PageFrame
      header={
        <SiteHeader>
          <Link href="/projects" prefetch={false}>
            Open the app
          </Link>
          <a href="https://github.com/slipway-dev/slipway">Source</a>
        </SiteHeader>
      }
    >
      <div className="hero">
        <h1>Ship a multi-tenant SaaS on day one.</h1>
        <p>
          Slipway is a reference Next.js application with its production infrastructure built in: tenancy enforced by
          the database, authentication, health checks, observability and deployment files, each proven by a test that
          runs against real components.
        </p>
        <div className="actions">
          <Link className="button" href="/projects" prefetch={false}>
            Try the example app
          </Link>
          <a className="button secondary" href="#run">
            Run it locally
          </a>
        </div>
      </div>

      <section aria-labelledby="inside">
        <h2 id="inside">What is inside</h2>
        <div className="grid">
          {inside.map((item) => (
            <article className="card" key={item.title}>
              <h3>{item.title}</h3>
              <p>{item.body}</p>
            </article>
          ))}
        </div>
      </section>

      <section aria-labelledby="run">
        <h2 id="run">Run it</h2>
        <p className="muted">
          Node.js 20 or newer. No accounts and no services: an embedded PostgreSQL starts with the app.
        </p>
        <pre>
          <code>{`npm install\nnpm run dev      # http://localhost:3000, seeded with demo tenants\nnpm test         # unit and integration tests against real PostgreSQL and Redis`}</code>
        </pre>
      </section>

      <section aria-labelledby="deploy">
        <h2 id="deploy">Deploy it</h2>
        <div className="grid">
          <article className="card">
            <h3>Docker and compose</h3>
            <p>
              <code>docker compose -f docker-compose.yml -f compose.production.yaml up -d</code> with secrets from
              files.
            </p>
          </article>
          <article className="card">
            <h3>Fly.io</h3>
            <p>
              <code>fly launch --copy-config</code>, then <code>fly deploy</code>; migrations run as the release
              command.
            </p>
          </article>
          <article className="card">
            <h3>Railway and Render</h3>
            <p>
              <code>railway.json</code> and the <code>render.yaml</code> Blueprint build the same image and run
              migrations before each deploy.
            </p>
          </article>
        </div>
      </section>
    </PageFrame>
  );
}
