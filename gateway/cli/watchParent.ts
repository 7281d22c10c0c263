// A process that must not outlive the one that started it (`portico dev` under `npm start`): npm
// passes SIGTERM to its `sh -c`, which dies without passing it on, and the orphan is re-parented.
// Re-parenting is the one sign every supervisor gives, so the parent pid is watched.
export function watchParent(onGone: () => void, intervalMs = 250): () => void {
  const parent = process.ppid;
  if (parent <= 1) {
    // Started by init (a container's PID 1, a service manager): there is no parent to lose. Unless
    // npm started it: then its `sh -c` is gone already, before this process could look.
    if (process.env.npm_lifecycle_event) setImmediate(onGone);
    return () => {};
  }
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
