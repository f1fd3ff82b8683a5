import "@atlaskit/css-reset";
import "../settings/settings.css";
import { mountPage } from "../lib/mount";
import { App } from "../settings/App";

/** The repository settings page (Connect `adminPages`): integrations and the activity log. */
mountPage(App);
