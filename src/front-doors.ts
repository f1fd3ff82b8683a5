import type { FrontDoor } from "./core/front-door";
import { connectDoor } from "./connect";
import { forgeDoor } from "./forge";

/** The front doors the app ships (a Data Center door will be listed here). */
export const FRONT_DOORS: readonly FrontDoor[] = [connectDoor, forgeDoor];
