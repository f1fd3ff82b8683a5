import type { Services } from "../../../core/services";
import type { AlertMessage } from "../message";
import type { BuildAlertsSettings } from "../settings";

/** What a target answered (shown by "Send test alert", kept in the job summary). */
export interface TargetAnswer {
  status: number;
  body: string;
}

export interface SendOptions {
  /** Inline HTTP retries (the test action asks for none, to show the first answer). */
  retries?: number;
  /** X-Relay-Delivery of the webhook: the job id, so that the receiver can dedupe retries. */
  deliveryId?: string;
}

export type AlertTarget = (services: Services, settings: BuildAlertsSettings, message: AlertMessage, opts: SendOptions) => Promise<TargetAnswer>;
