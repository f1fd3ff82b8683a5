import "@atlaskit/css-reset";
import { createRoot } from "react-dom/client";
import { readBootstrap } from "../lib/bootstrap";
import { autoResize } from "../lib/host";
import { createTransport } from "../lib/transport";
import { App } from "../settings/App";

/** The repository settings page (Connect `adminPages`): integrations and the activity log. */
function main(): void {
  const root = document.getElementById("root");
  if (!root) return;
  const bootstrap = readBootstrap();
  createRoot(root).render(<App bootstrap={bootstrap} transport={createTransport(bootstrap)} />);
  autoResize(document.body);
}

main();
