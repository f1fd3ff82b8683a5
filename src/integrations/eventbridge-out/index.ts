import type { Integration } from "../index";
import { registerEventBridgeOut } from "./handlers";
import "./settings";

export { publishEvents } from "./publisher";

/** Forwards Bitbucket events to the customer's EventBridge bus; `publishEvents` serves other integrations. */
export const eventBridgeOutIntegration: Integration = {
  id: "eventbridge-out",
  register(registry) {
    registerEventBridgeOut(registry);
  },
};
