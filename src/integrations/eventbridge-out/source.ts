import type { InstallationView } from "../../core/installations";

/**
 * The `Source` of every event the app puts on a customer's bus. An installation of a Bitbucket Cloud
 * workspace (Connect, Forge) sends the app key (`APP_KEY`, default `bitbucket-relay`) exactly as
 * always; an installation of a host without workspaces sends `<app key>.<host kind>` (Data Center:
 * `bitbucket-relay.datacenter`), so that a rule can pick a host (`"source": ["bitbucket-relay.datacenter"]`)
 * or take both (`"source": [{"prefix": "bitbucket-relay"}]`). DetailType and Detail: Bitbucket Cloud's
 * event on Connect and Forge, DC's own event key and body on Data Center (docs/datacenter.md#eventbridge-out).
 */
export function eventSource(appKey: string, installation: Pick<InstallationView, "workspaceUuid" | "host">): string {
  return installation.workspaceUuid ? appKey : `${appKey}.${installation.host}`;
}
