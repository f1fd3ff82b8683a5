import type { HostPerson } from "../host-api";

/** `RestApplicationUser` as DC lists it (9.2 spec); `avatarUrl` is present when `avatarSize` was asked. */
export interface DcUser {
  id?: number;
  name?: string;
  slug?: string;
  displayName?: string;
  emailAddress?: string;
  avatarUrl?: string;
}

/** The avatar size asked for with every list that carries users (pixels). */
export const DC_AVATAR_SIZE = 48;

/**
 * A DC user in host-neutral terms: `accountId` = the user slug (URL-safe, what DC's paths take),
 * `uuid` = the numeric user id as text (stable across renames), the avatar made absolute against
 * the instance's base URL (DC may answer it relative, with the context path).
 */
export function dcPerson(u: DcUser | undefined, siteUrl: string): HostPerson {
  let avatarUrl: string | null = null;
  if (u?.avatarUrl) {
    try {
      avatarUrl = new URL(u.avatarUrl, `${siteUrl.replace(/\/$/, "")}/`).toString();
    } catch {
      avatarUrl = null;
    }
  }
  return {
    accountId: u?.slug ?? null,
    uuid: typeof u?.id === "number" ? String(u.id) : null,
    displayName: u?.displayName ?? u?.name ?? "Unknown user",
    avatarUrl,
  };
}
