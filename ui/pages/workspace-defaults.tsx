import "@atlaskit/css-reset";
import { mountPage } from "../lib/mount";
import { WorkspaceApp } from "../settings/WorkspaceApp";

/** The workspace-defaults page (Connect `configurePage` / account `adminPages`; Forge `bitbucket:workspaceSettingsMenuPage`). */
mountPage(WorkspaceApp);
