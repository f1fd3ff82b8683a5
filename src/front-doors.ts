import type { FrontDoor } from "./app";
import { mountForge } from "./forge";

/** Front doors beside Connect (which is always mounted): Forge. */
export const FRONT_DOORS: FrontDoor[] = [mountForge];
