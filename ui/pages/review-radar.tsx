import "@atlaskit/css-reset";
import { mountPage } from "../lib/mount";
import { App } from "../review-radar/App";

/** The repository sidebar panel: pull requests waiting for review. */
mountPage(App);
