import { invokeRemote, view } from "@forge/bridge";
import { BOOTSTRAP_ELEMENT_ID, type PageBootstrap } from "./bootstrap";
import { ForgeTransport } from "./forge-transport";
import { registerTransport } from "./transport";

/** The slice of `view.getContext()` the pages need (shared/reference/forge/ui/view-getcontext-*.json). */
export interface ForgeViewContext {
  accountId?: string;
  workspaceId?: string;
  extension?: { type?: string; repository?: { uuid?: string }; location?: string };
}

/** `workspace/repo` from the module's page URL (`https://bitbucket.org/ws/repo/src/main/`), when it says. */
export function repoPathFromLocation(location: string | undefined): string | null {
  if (!location) return null;
  try {
    const [ws, repo] = new URL(location).pathname.split("/").filter(Boolean);
    return ws && repo ? `${decodeURIComponent(ws)}/${decodeURIComponent(repo)}` : null;
  } catch {
    return null;
  }
}

/** What the Connect page shell renders server-side, built in the browser from the Forge context. */
export function forgeBootstrap(page: string, ctx: ForgeViewContext): PageBootstrap {
  return {
    host: "forge",
    page,
    token: null,
    apiBase: "/forge/api",
    repository: { uuid: ctx.extension?.repository?.uuid ?? null, fullName: repoPathFromLocation(ctx.extension?.location) },
    viewer: { accountId: ctx.accountId ?? null },
  };
}

/**
 * Entry of a Forge Custom UI resource: the same page bundle as Connect's, started the Forge way —
 * the bootstrap comes from `view.getContext()`, and API calls go through `invokeRemote`. Writes the
 * bootstrap element the page reads, then loads the page module.
 */
export async function bootForgePage(page: string, loadPage: () => Promise<unknown>): Promise<void> {
  registerTransport("forge", (b) => new ForgeTransport((input) => invokeRemote(input), b.apiBase));
  const ctx = (await view.getContext()) as ForgeViewContext;
  const el = document.createElement("script");
  el.type = "application/json";
  el.id = BOOTSTRAP_ELEMENT_ID;
  el.textContent = JSON.stringify(forgeBootstrap(page, ctx));
  document.body.appendChild(el);
  await loadPage();
}
