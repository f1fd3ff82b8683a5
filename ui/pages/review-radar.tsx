import "@atlaskit/css-reset";
import { setGlobalTheme } from "@atlaskit/tokens/set-global-theme";
import { mountPage } from "../lib/mount";
import { App } from "../review-radar/App";

/**
 * The repository sidebar panel: pull requests waiting for review. Atlaskit's light or dark theme
 * follows the viewer's system (`prefers-color-scheme`); each theme's CSS is a chunk loaded on demand,
 * and the page's background is the `elevation.surface` token of whichever is active.
 */
void setGlobalTheme({ colorMode: "auto" }).catch(() => undefined);
document.documentElement.style.backgroundColor = "var(--ds-surface)";
mountPage(App);
