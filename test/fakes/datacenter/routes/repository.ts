import { Router } from "express";
import type { FakeDataCenter } from "..";

/** `RestRepository` as DC answers it (9.2 spec), links built on the fake's base URL. */
export function restRepository(fake: FakeDataCenter, repo: { id: number; slug: string; name: string; projectKey: string; archived: boolean }): Record<string, unknown> {
  const project = fake.state.projects.get(repo.projectKey);
  const base = fake.baseUrl;
  return {
    slug: repo.slug,
    id: repo.id,
    name: repo.name,
    hierarchyId: `h${repo.id}`,
    scmId: "git",
    state: "AVAILABLE",
    statusMessage: "Available",
    forkable: true,
    public: false,
    archived: repo.archived,
    project: project ? { key: project.key, id: project.id, name: project.name, public: false, type: project.type, links: { self: [{ href: `${base}/projects/${project.key}` }] } } : undefined,
    links: {
      clone: [
        { href: `${base.replace("://", "://git@").replace(/:\d+\//, ":7999/")}/${repo.projectKey.toLowerCase()}/${repo.slug}.git`, name: "ssh" },
        { href: `${base}/scm/${repo.projectKey.toLowerCase()}/${repo.slug}.git`, name: "http" },
      ],
      self: [{ href: `${base}/projects/${repo.projectKey}/repos/${repo.slug}/browse` }],
    },
  };
}

/** `GET /rest/api/latest/projects/{projectKey}/repos/{repositorySlug}` (REPO_READ) and its `default-branch`. */
export function repositoryRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  r.get(["/rest/api/latest/projects/:projectKey/repos/:repositorySlug", "/rest/api/1.0/projects/:projectKey/repos/:repositorySlug"], (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_READ");
    if (repo) res.json(restRepository(fake, repo));
  });
  r.get(["/rest/api/latest/projects/:projectKey/repos/:repositorySlug/default-branch", "/rest/api/1.0/projects/:projectKey/repos/:repositorySlug/default-branch"], (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_READ");
    if (!repo) return;
    if (!repo.defaultBranch) return fake.error(res, 404, "The default branch has not been created yet.", "com.atlassian.bitbucket.repository.NoDefaultBranchException");
    res.json({ id: repo.defaultBranch, displayId: repo.defaultBranch.replace(/^refs\/heads\//, ""), type: "BRANCH" });
  });
  return r;
}
