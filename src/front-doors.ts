import type { FrontDoor } from "./core/front-door";
import { connectDoor } from "./connect";
import { dataCenterDoor } from "./datacenter";
import { forgeDoor } from "./forge";

/** The front doors the app ships: Bitbucket Cloud through Connect and Forge, Bitbucket Data Center. */
export const FRONT_DOORS: readonly FrontDoor[] = [connectDoor, forgeDoor, dataCenterDoor];
