import "@atlaskit/css-reset";
import { createRoot } from "react-dom/client";
import { readBootstrap } from "../lib/bootstrap";
import { autoResize } from "../lib/host";
import { createTransport } from "../lib/transport";
import { App } from "../review-radar/App";

/** The repository sidebar panel: pull requests waiting for review. */
function main(): void {
  const root = document.getElementById("root");
  if (!root) return;
  const bootstrap = readBootstrap();
  createRoot(root).render(<App bootstrap={bootstrap} transport={createTransport(bootstrap)} />);
  autoResize(document.body);
}

main();
