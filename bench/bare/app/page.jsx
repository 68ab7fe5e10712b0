/** A static page: prerendered by the build, served from Next's cache. */
export default function Page() {
  return (
    <main>
      <h1>A bare Next.js page</h1>
      <p>The baseline Slipway&apos;s landing page is compared with.</p>
    </main>
  );
}
