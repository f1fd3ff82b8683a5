/**
 * The host page's JS API. Inside a Bitbucket Connect iframe `window.AP` exists (all.js); outside
 * Bitbucket (tests, local preview) every call is a no-op.
 */
interface ConnectAp {
  resize(width?: string, height?: string): void;
  sizeToParent?(): void;
}

declare global {
  interface Window {
    AP?: ConnectAp;
  }
}

export function connectApi(): ConnectAp | null {
  return typeof window !== "undefined" && window.AP ? window.AP : null;
}

/** Asks the host to fit the iframe to the page's content. */
export function resizeToContent(): void {
  const ap = connectApi();
  if (!ap) return;
  try {
    ap.resize();
  } catch {
    // the host refused (e.g. not yet initialised): the iframe keeps its size
  }
}

/** Resizes now and whenever the content's size changes; returns a function that stops watching. */
export function autoResize(element: Element = document.body): () => void {
  resizeToContent();
  if (typeof ResizeObserver === "undefined") return () => undefined;
  const observer = new ResizeObserver(() => resizeToContent());
  observer.observe(element);
  return () => observer.disconnect();
}
