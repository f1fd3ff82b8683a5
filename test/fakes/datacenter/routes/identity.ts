import { Router } from "express";
import type { FakeDataCenter } from "..";
import type { DcUser } from "../state";

/** `RestApplicationUser` (9.2 spec) of a fake user. */
export function restUser(fake: FakeDataCenter, u: DcUser): Record<string, unknown> {
  return {
    name: u.name,
    emailAddress: u.emailAddress,
    active: u.active,
    displayName: u.displayName,
    id: u.id,
    slug: u.slug,
    type: u.type,
    links: { self: [{ href: `${fake.baseUrl}/users/${u.slug}` }] },
  };
}

/**
 * Who is calling (DC has no "current user" resource: datacenter-app.md §1.2): `GET
 * /rest/api/latest/application-properties` answers to anyone, and every authenticated response
 * carries `X-AUSERNAME` (set by the fake's intake); `GET /rest/api/latest/users/{userSlug}` needs an
 * authenticated caller.
 */
export function identityRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  r.get(["/rest/api/latest/application-properties", "/rest/api/1.0/application-properties"], (_req, res) => {
    res.json({ version: "9.2.0", buildNumber: "9002000", buildDate: "1716000000000", displayName: "Bitbucket" });
  });
  r.get(["/rest/api/latest/users/:userSlug", "/rest/api/1.0/users/:userSlug"], (req, res) => {
    if (!fake.principal(req)) return fake.error(res, 401, "Authentication failed. Please check your credentials and try again.", "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException");
    const user = fake.state.users.get(String(req.params.userSlug));
    if (!user) return fake.error(res, 404, `User ${String(req.params.userSlug)} does not exist.`, "com.atlassian.bitbucket.user.NoSuchUserException");
    res.json(restUser(fake, user));
  });
  return r;
}
