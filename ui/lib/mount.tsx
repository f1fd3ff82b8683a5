import type { ComponentType } from "react";
import { createRoot } from "react-dom/client";
import { readBootstrap, type PageBootstrap } from "./bootstrap";
import { autoResize } from "./host";
import { CookieTransport } from "./cookie-transport";
import { createTransport, registerTransport, type Transport } from "./transport";

// Pages the Data Center door serves itself: the session cookie and its CSRF token (src/datacenter/login/pages.ts).
registerTransport("datacenter", (b) => new CookieTransport(b.csrfToken ?? "", b.apiBase));

export interface PageProps {
  bootstrap: PageBootstrap;
  transport: Transport;
}

/** Renders a page's root component with its bootstrap and the host's transport, and keeps the iframe sized. */
export function mountPage(App: ComponentType<PageProps>): void {
  const root = document.getElementById("root");
  if (!root) return;
  const bootstrap = readBootstrap();
  createRoot(root).render(<App bootstrap={bootstrap} transport={createTransport(bootstrap)} />);
  autoResize(document.body);
}
