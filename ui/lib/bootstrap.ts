import type { HostKind } from "../../src/models/installation";

/**
 * What the server-side page shell hands the page (a JSON `<script id="bootstrap">`): which host
 * loaded it, its session token, the repository and the viewing user.
 */
export interface PageBootstrap {
  /** The front door that served the page (`HostKinds`, widened by each door's declaration merging): picks the transport. */
  host: HostKind;
  page: string;
  /** Connect: the page API token for `/connect/api` calls (bound to viewer and repository; renewed from `X-acpt`). */
  token: string | null;
  /** Cookie sessions (`CookieTransport`): the session's CSRF token, sent as `X-CSRF-Token` on writes. */
  csrfToken?: string | null;
  /** Base path of the JSON API, e.g. `/connect/api`. */
  apiBase: string;
  repository: { uuid: string | null; fullName: string | null };
  viewer: { accountId: string | null };
}

export const BOOTSTRAP_ELEMENT_ID = "relay-bootstrap";

export function readBootstrap(doc: Document = document): PageBootstrap {
  const el = doc.getElementById(BOOTSTRAP_ELEMENT_ID);
  if (!el?.textContent) throw new Error("page bootstrap is missing");
  return JSON.parse(el.textContent) as PageBootstrap;
}
