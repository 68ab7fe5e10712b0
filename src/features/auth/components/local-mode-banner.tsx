export function LocalModeBanner() {
  return (
    <div className="banner" role="status" data-testid="local-mode-banner">
      <div className="container">
        <strong>Demo mode.</strong> Sign-in is open to the listed demo users (AUTH_MODE=local). Do not store anything
        private here.
      </div>
    </div>
  );
}
