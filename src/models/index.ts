import type { Sequelize } from "sequelize";
import { Installation } from "./installation";
import { Delivery } from "./delivery";
import { Job } from "./job";
import { OutboundCallRecord } from "./outbound-call";
import { RepoSettingsRecord, SettingsChange } from "./repo-settings";
import { WorkspaceApplyRun, WorkspaceSettingsRecord } from "./workspace-settings";
import { RepositoryRecord } from "./repository";

export { Installation, Delivery, Job, OutboundCallRecord, RepoSettingsRecord, SettingsChange, WorkspaceSettingsRecord, WorkspaceApplyRun, RepositoryRecord };

/** Binds the core models to a connection. Integrations with tables of their own add theirs in the same way. */
export function initCoreModels(sequelize: Sequelize): void {
  for (const m of [Installation, Delivery, Job, OutboundCallRecord, RepoSettingsRecord, SettingsChange, WorkspaceSettingsRecord, WorkspaceApplyRun, RepositoryRecord]) m.initModel(sequelize);
}
