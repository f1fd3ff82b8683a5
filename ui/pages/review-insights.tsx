import "@atlaskit/css-reset";
import { setGlobalTheme } from "@atlaskit/tokens/set-global-theme";
import { CookieTransport } from "../lib/cookie-transport";
import { mountPage } from "../lib/mount";
import { registerTransport } from "../lib/transport";
import { App } from "../review-insights/App";
import "../review-insights/insights.css";

/**
 * Review insights, a full page. The same bundle serves every door: Connect (page API token),
 * Forge (`invokeRemote`, started by ui/lib/forge-boot.ts) and pages a door serves itself with a cookie
 * session (Data Center: bootstrap `host: "datacenter"`, `apiBase`, `csrfToken`).
 */
registerTransport("datacenter", (b) => new CookieTransport(b.csrfToken ?? "", b.apiBase));
void setGlobalTheme({ colorMode: "auto" }).catch(() => undefined);
document.documentElement.style.backgroundColor = "var(--ds-surface)";
mountPage(App);
