// A process that must not outlive the one that started it (`portico dev` under `npm start`): npm
// passes SIGTERM to its `sh -c`, which dies without passing it on, and the orphan is re-parented.
// Re-parenting is the one sign every supervisor gives, so the parent pid is watched.
export function watchParent(onGone: () => void, intervalMs = 250): () => void {
  const parent = process.ppid;
  // Started by init (a container's PID 1, a service manager): there is no parent to lose.
  if (parent <= 1) return () => {};
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
