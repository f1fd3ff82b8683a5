import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import type { DcBitbucketApi } from "../../../src/bitbucket/datacenter/api";
import type { RepositoryRef } from "../../../src/bitbucket/host-api";
import type { InstallationView } from "../../../src/core/installations";
import { syncDataCenterInstallations } from "../../../src/datacenter/installations";
import { dataCenterHarness, fakeDataCenter, type DataCenterSetup } from "../../helpers/datacenter";
import type { Harness, HarnessOptions } from "../../helpers/harness";

/** The DC API of the harness's DC installation, as the app chooses it (`services.bitbucketApiFor`). */
export function dcApi(h: Harness, installation: InstallationView): DcBitbucketApi {
  return h.services.bitbucketApiFor(installation) as DcBitbucketApi;
}

/** What `dcApiSuite` makes for a suite. */
export interface DcApiSuite {
  dc: DataCenterSetup;
  h: Harness;
  installation: InstallationView;
  /** The installation's DC API (`dcApi`). */
  api: DcBitbucketApi;
}

/**
 * The hooks of a DC API suite, registered in the calling `describe`: before its tests a fake DC and
 * an app serving it (`fakeDataCenter`, `dataCenterHarness` with `opts`), handed to `ready`; the fake's
 * call log emptied before each test; both closed after the suite.
 */
export function dcApiSuite(ready: (s: DcApiSuite) => void, opts: HarnessOptions = {}): void {
  let made: Partial<DcApiSuite> = {};
  before(async () => {
    const dc = await fakeDataCenter();
    made = { dc };
    const { h, installation } = await dataCenterHarness(dc, opts);
    made = { dc, h, installation, api: dcApi(h, installation) };
    ready(made as DcApiSuite);
  });
  beforeEach(() => {
    if (made.dc) made.dc.fake.calls = [];
  });
  after(async () => {
    await made.h?.close();
    await made.dc?.fake.stop();
  });
}

/** The door-minted ref of a fake DC repository. */
export function refOf(installation: InstallationView, repo: { id: number; projectKey: string; slug: string }, fullName: string | null = `${repo.projectKey}/${repo.slug}`): RepositoryRef {
  return { id: `dc:${installation.hostScope}:${repo.id}`, fullName };
}

/** Runs `fn` with the installation holding another HTTP access token, then restores the service token. */
export async function withToken<T>(h: Harness, dc: DataCenterSetup, token: string, fn: () => Promise<T>): Promise<T> {
  const [inst] = h.services.config.dataCenter.instances;
  await syncDataCenterInstallations(h.services, [{ ...inst!, token }]);
  try {
    return await fn();
  } finally {
    await syncDataCenterInstallations(h.services, [{ ...inst!, token: dc.serviceToken }]);
  }
}

/** The entries of a streamed .tar.gz: name → content. */
export async function untar(body: Readable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const x = extract();
  x.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => chunks.push(c as Buffer));
    stream.on("end", () => {
      out[header.name] = Buffer.concat(chunks).toString("utf8");
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    x.on("finish", resolve);
    x.on("error", reject);
    body.on("error", reject);
    body.pipe(createGunzip()).on("error", reject).pipe(x);
  });
  return out;
}
