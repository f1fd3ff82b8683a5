import type { ComponentType } from "react";
import { createRoot } from "react-dom/client";
import { readBootstrap, type PageBootstrap } from "./bootstrap";
import { autoResize } from "./host";
import { createTransport, type Transport } from "./transport";

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
