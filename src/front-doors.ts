import type { FrontDoor } from "./app";

/** Front doors beside Connect (which is always mounted): Forge. */
export const FRONT_DOORS: FrontDoor[] = [];
