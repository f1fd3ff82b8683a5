import { Router, type Request, type Response } from "express";
import { repositories } from "../../core/repositories";
import { REPOSITORY_ID_FORMATS } from "../../bitbucket/repository-id";
import { APP_PAGES } from "../../web/pages";
import { escapeHtml, renderPageShell } from "../../web/pages/page-shell";
import { atLeast, repoPermissions, type AccessLevel } from "../../web/permissions";
import { CredentialEndedError } from "../../web/principal";
import { SessionError } from "../../web/session/cookie-session";
import type { PageBootstrap } from "../../../ui/lib/bootstrap";
import { dcPageHeaders, sendDcError, sendDcPage } from "./html";
import type { DcUserRepository } from "./user-api";
import { dcViewer, type DcLoginContext, type DcViewer } from "./viewer";

/** The repository pages of the door: the same bundles Cloud shows, and the access each needs. */
const REPO_PAGES = { settings: "admin", "review-radar": "read", "review-insights": "read" } as const satisfies Record<string, AccessLevel>;
type RepoPage = keyof typeof REPO_PAGES;

/** The viewer, or null after sending the way to log in (no, expired or ended session). */
async function viewerOrLogin(ctx: DcLoginContext, req: Request, res: Response): Promise<DcViewer | null> {
  try {
    return await dcViewer(ctx, req);
  } catch (err) {
    if (!(err instanceof SessionError)) throw err;
    res.redirect(303, "/datacenter");
    return null;
  }
}

function userBar(ctx: DcLoginContext, v: DcViewer) {
  return { displayName: v.grant.displayName, instance: v.instance.name, csrfToken: ctx.sessions.csrfTokenOf(v.session.sessionId) };
}

/** One line per repository: its name links to the first page; each further page is a link after it. */
function repoList(repos: DcUserRepository[], pages: Array<[RepoPage, string]>): string {
  if (!repos.length) return '<p class="muted">None.</p>';
  const href = (r: DcUserRepository, page: RepoPage) => `/datacenter/repos/${encodeURIComponent(r.id)}/${page}`;
  const [[first, label], ...more] = pages as [[RepoPage, string], ...Array<[RepoPage, string]>];
  const items = repos.map(
    (r) =>
      `<li><a href="${href(r, first)}">${escapeHtml(r.fullName)}</a> <span class="muted">${escapeHtml(label)}</span>` +
      more.map(([page, text]) => ` · <a href="${href(r, page)}">${escapeHtml(text)}</a>`).join("") +
      `</li>`,
  );
  return `<ul>${items.join("")}</ul>`;
}

/**
 * The door's own pages (top-level, `frame-ancestors 'none'`): `/datacenter` lists the configured
 * instances to log in to; `/datacenter/repositories` the repositories the user administers (settings
 * and activity log) and reads (review radar, review insights), as DC answers with the user's token;
 * `/datacenter/repos/<dc id>/settings|review-radar|review-insights` the same React bundles Cloud uses, bootstrapped
 * for the cookie transport (`host: "datacenter"`, the session's CSRF token). Each repository page
 * checks the user's access first (admin for settings, read for the radar and insights; cached like the API's).
 */
export function pageRoutes(ctx: DcLoginContext): Router {
  const r = Router();
  const { services } = ctx;

  r.get("/datacenter", async (req, res, next) => {
    try {
      let viewer: DcViewer | null = null;
      try {
        viewer = await dcViewer(ctx, req);
      } catch (err) {
        if (!(err instanceof SessionError)) throw err;
      }
      const instances = services.config.dataCenter.instances.map((i) => `<li><a href="/datacenter/login?instance=${encodeURIComponent(i.id)}">Log in with Bitbucket Data Center: ${escapeHtml(i.name)}</a></li>`);
      const body = viewer
        ? `<p>You are logged in to ${escapeHtml(viewer.instance.name)}. <a href="/datacenter/repositories">Choose a repository</a></p><h2>Other instances</h2><ul>${instances.join("")}</ul>`
        : `<p>Log in with your Bitbucket Data Center account to manage the app for your repositories.</p><ul>${instances.join("")}</ul>`;
      sendDcPage(res, 200, { title: "Bitbucket Relay", body, user: viewer ? userBar(ctx, viewer) : null });
    } catch (err) {
      next(err);
    }
  });

  r.get("/datacenter/repositories", async (req, res, next) => {
    try {
      const v = await viewerOrLogin(ctx, req, res);
      if (!v) return;
      let admin: DcUserRepository[];
      let read: DcUserRepository[];
      try {
        [admin, read] = await Promise.all([v.api.repositories("REPO_ADMIN"), v.api.repositories("REPO_READ")]);
      } catch (err) {
        if (err instanceof CredentialEndedError) return sendDcError(res, 401, err.message);
        services.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, "Data Center repository list failed");
        return sendDcError(res, 502, "Bitbucket Data Center could not list your repositories; try again.");
      }
      // Their display names give later permission checks the project key to narrow DC's lists.
      for (const repo of read) await repositories.remember(v.installation, { id: repo.id, displayName: repo.fullName });
      const body = [
        `<h2>Repositories you administer</h2>`,
        repoList(admin, [["settings", "settings and activity log"]]),
        `<h2>Repositories you can read</h2>`,
        repoList(read, [["review-radar", "review radar"], ["review-insights", "review insights"]]),
      ].join("\n");
      sendDcPage(res, 200, { title: "Choose a repository", body, user: userBar(ctx, v) });
    } catch (err) {
      next(err);
    }
  });

  for (const page of Object.keys(REPO_PAGES) as RepoPage[]) {
    r.get(`/datacenter/repos/:repoId/${page}`, async (req, res, next) => {
      try {
        const v = await viewerOrLogin(ctx, req, res);
        if (!v) return;
        const id = REPOSITORY_ID_FORMATS.datacenter.normalise(String(req.params.repoId));
        if (!id) return sendDcError(res, 400, "Not a Bitbucket Data Center repository id.");
        if (!id.startsWith(`dc:${v.instance.id}:`)) return sendDcError(res, 401, "This repository belongs to another Bitbucket instance; log in there.");
        const principal = { ...v.principal, repositoryUuid: id };
        const access = await repoPermissions(services).resolve(principal, id);
        if (!access.ok) return sendDcError(res, access.status, access.reason);
        if (!atLeast(access.access.level, REPO_PAGES[page])) return sendDcError(res, 403, page === "settings" ? "Only repository admins may open the settings." : "You have no access to this repository.");
        const bootstrap: PageBootstrap = {
          host: "datacenter",
          page,
          token: null,
          csrfToken: ctx.sessions.csrfTokenOf(v.session.sessionId),
          apiBase: "/datacenter/api",
          repository: { uuid: id, fullName: access.access.repository.fullName },
          viewer: { accountId: v.grant.slug },
        };
        const html = renderPageShell(bootstrap, { page, title: APP_PAGES[page].title, config: { connect: { ...services.config.connect, loadAllJs: false } } });
        res.status(200).set(dcPageHeaders()).send(html);
      } catch (err) {
        next(err);
      }
    });
  }
  return r;
}
