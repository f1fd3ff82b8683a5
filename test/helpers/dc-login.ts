import { request } from "undici";
import type { Harness, HarnessOptions } from "./harness";
import { dataCenterHarness, fakeDataCenter, type DataCenterSetup } from "./datacenter";
import { dcOAuth, type DcOAuthServer } from "../fakes/datacenter/routes/oauth";
import type { DcUser } from "../fakes/datacenter";
import type { InstallationView } from "../../src/core/installations";
import { BOOTSTRAP_ELEMENT_ID, type PageBootstrap } from "../../ui/lib/bootstrap";

export interface Hop {
  status: number;
  location: string | null;
  setCookie: string[];
  text: string;
  /** The response's headers (undici's: lower-case names). */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A browser's cookie handling for one origin (the app's), enough for the login flow: stores
 * `Set-Cookie` name=value pairs, drops expired ones (`Max-Age=0` or an `Expires` in the past), and
 * sends them back as one `Cookie` header.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(setCookie: string[]): void {
    for (const line of setCookie) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]!) < Date.now()));
      if (expired || !value) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** One request, redirects not followed; the jar's cookies go only to `appUrl`'s origin. */
export async function hop(url: string, o: { jar?: CookieJar; appUrl?: string; method?: "GET" | "POST" | "PUT"; headers?: Record<string, string>; body?: string } = {}): Promise<Hop> {
  const headers: Record<string, string> = { ...o.headers };
  const toApp = o.appUrl && new URL(url).origin === new URL(o.appUrl).origin;
  if (o.jar && toApp && o.jar.cookies.size) headers.cookie = o.jar.header();
  const res = await request(url, { method: o.method ?? "GET", headers, body: o.body });
  const raw = res.headers["set-cookie"];
  const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (o.jar && toApp) o.jar.store(setCookie);
  const location = typeof res.headers.location === "string" ? res.headers.location : null;
  return { status: res.statusCode, location, setCookie, text: await res.body.text(), headers: res.headers };
}

/** The bootstrap JSON of a page the app rendered. */
export function bootstrapOf(html: string): PageBootstrap {
  const m = new RegExp(`<script type="application/json" id="${BOOTSTRAP_ELEMENT_ID}">(.*?)</script>`, "s").exec(html);
  if (!m) throw new Error("no bootstrap in page");
  return JSON.parse(m[1]!) as PageBootstrap;
}

export interface DcLoginSetup {
  dc: DataCenterSetup;
  h: Harness;
  installation: InstallationView;
  oauth: DcOAuthServer;
  /** REPO_ADMIN on PROJ/widgets. */
  alice: DcUser;
  /** REPO_READ on project PROJ. */
  bob: DcUser;
  /** No permission anywhere. */
  carol: DcUser;
}

/**
 * The app with one fake DC instance whose OAuth server knows the app's application link (client id
 * and secret from the env, Redirect URL = the app's callback), and three users.
 */
export async function dcLoginSetup(opts: HarnessOptions = {}): Promise<DcLoginSetup> {
  const dc = await fakeDataCenter();
  const { h, installation } = await dataCenterHarness(dc, opts);
  const oauth = dcOAuth(dc.fake);
  oauth.addClient({ clientId: dc.env.BITBUCKET_DC_CLIENT_ID!, clientSecret: dc.env.BITBUCKET_DC_CLIENT_SECRET!, redirectUri: `${h.url}/datacenter/oauth/callback` });
  const alice = dc.fake.addUser("alice", { displayName: "Alice Admin" });
  dc.fake.grant(alice, "REPO_ADMIN", { repository: dc.repo });
  const bob = dc.fake.addUser("bob", { displayName: "Bob Reader" });
  dc.fake.grant(bob, "PROJECT_READ", { project: "PROJ" });
  const carol = dc.fake.addUser("carol", { displayName: "Carol Nobody" });
  return { dc, h, installation, oauth, alice, bob, carol };
}

export async function stopDcLogin(s: DcLoginSetup | undefined): Promise<void> {
  await s?.h.close();
  await s?.dc.fake.stop();
}

/**
 * The browser's part of a login: the app's `/datacenter/login` (302 to DC), DC's authorize page
 * with `user` logged in there (302 back with the code), the app's callback (303 to the picker).
 * Returns each hop; the jar ends up with the session cookie.
 */
export async function logInAs(s: DcLoginSetup, user: DcUser, jar = new CookieJar()): Promise<{ jar: CookieJar; start: Hop; authorize: Hop; callback: Hop }> {
  s.oauth.browserUser = user;
  const start = await hop(`${s.h.url}/datacenter/login?instance=${s.installation.hostScope}`, { jar, appUrl: s.h.url });
  if (start.status !== 302 || !start.location) throw new Error(`login did not redirect: ${start.status} ${start.text}`);
  const authorize = await hop(start.location, { jar, appUrl: s.h.url });
  if (authorize.status !== 302 || !authorize.location) throw new Error(`authorize did not redirect: ${authorize.status} ${authorize.text}`);
  const callback = await hop(authorize.location, { jar, appUrl: s.h.url });
  return { jar, start, authorize, callback };
}
