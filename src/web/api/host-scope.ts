import type { InstallationView } from "../../core/installations";
import type { Services } from "../../core/services";

/**
 * What an installation's settings defaults cover, for pages to name it: a Bitbucket Cloud workspace
 * (`kind: "workspace"`, its UUID and slug) or, on a host without workspaces, the whole instance
 * (`kind: "instance"`: Data Center, its instance id and configured name). Pages say "workspace
 * defaults" or "instance defaults" from `kind`.
 */
export interface HostScopeView {
  kind: "workspace" | "instance";
  id: string | null;
  name: string | null;
}

export function hostScopeView(services: Services, installation: InstallationView): HostScopeView {
  if (installation.workspaceUuid) return { kind: "workspace", id: installation.workspaceUuid, name: installation.workspaceSlug };
  const instance = services.config.dataCenter.instances.find((i) => i.id === installation.hostScope);
  return { kind: "instance", id: installation.hostScope, name: instance?.name ?? installation.baseUrl };
}
