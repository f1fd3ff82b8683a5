/**
 * Stands in for `@atlaskit/feature-gate-js-client/feature-gates` in the page bundles (see
 * `ui/build.ts`). Atlaskit's `@atlaskit/platform-feature-flags` asks it for a gate when the host product
 * registered no flag resolver — always the case in this app's iframes, where the Statsig client is
 * never initialised and answers every gate `false` (after a console warning). Same answer, without
 * ~120 KB of Statsig client in every page.
 */
const FeatureGates = {
  checkGate(_gateName: string, _options?: object): boolean {
    return false;
  },
};

export default FeatureGates;
