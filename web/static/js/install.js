// The service worker makes Atom installable and shows the offline page when Atom is unreachable.
// Browsers allow it only on HTTPS or localhost; elsewhere Atom works the same, just not installable.
export function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register("/sw.js").catch((error) => console.warn("service worker not registered", error));
}
