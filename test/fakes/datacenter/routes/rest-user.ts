import type { Request } from "express";
import type { FakeDataCenter } from "..";
import type { DcUser } from "../state";

/** The `avatarSize` query parameter (pixels), or null when not asked. */
export function avatarSize(req: Request): number | null {
  const n = Number(req.query.avatarSize);
  return Number.isInteger(n) && n > 0 && n <= 2048 ? n : null;
}

/**
 * `RestApplicationUser` as DC lists it (9.2 spec); with `avatarSize`, an `avatarUrl` relative to the
 * server root with the context path, as DC answers it for its own avatars.
 */
export function restUser(fake: FakeDataCenter, user: DcUser, size: number | null = null): Record<string, unknown> {
  return {
    name: user.name,
    emailAddress: user.emailAddress,
    active: user.active,
    displayName: user.displayName,
    id: user.id,
    slug: user.slug,
    type: user.type,
    links: { self: [{ href: `${fake.baseUrl}/users/${user.slug}` }] },
    ...(size ? { avatarUrl: `${fake.contextPath}/users/${user.slug}/avatar.png?s=${size}` } : {}),
  };
}
