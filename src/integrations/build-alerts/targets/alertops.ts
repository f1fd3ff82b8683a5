import { PermanentError } from "../../../http/errors";
import { summaryOf, type AlertMessage } from "../message";
import { excerpt } from "../../../http/excerpt";
import type { AlertTarget } from "./types";

/**
 * AlertOps inbound API integration: a JSON body shaped like Bitbucket's commit-status webhook
 * (`repository`, `commit_status`), so the Bitbucket template's field paths (`commit_status^state`,
 * `repository^full_name`…) map it, plus flat fields for a custom mapping: Source "Bitbucket", Source Name
 * the repository, Source Id the incident identity, and `status` OPEN / CLOSE as the status control.
 */
export function alertOpsBody(m: AlertMessage): Record<string, unknown> {
  const s = m.status;
  return {
    source: "Bitbucket",
    source_name: s.repository.fullName,
    source_id: m.dedupKey,
    status: m.action === "open" ? "OPEN" : "CLOSE",
    subject: summaryOf(m),
    long_text: s.description ?? "",
    url: s.url ?? "",
    test: m.test,
    repository: { uuid: s.repository.uuid, full_name: s.repository.fullName, links: { html: { href: s.repository.htmlUrl } } },
    commit_status: {
      type: "build",
      key: s.key,
      name: s.name,
      state: s.state,
      description: s.description,
      url: s.url,
      refname: s.refname,
      commit: { hash: s.commit },
      created_on: s.createdOn,
      updated_on: s.updatedOn,
    },
  };
}

export const sendAlertOps: AlertTarget = async (services, settings, message, opts) => {
  if (!settings.alertopsUrl) throw new PermanentError("AlertOps: no inbound URL configured");
  const url = services.http.policy.checkSyntax(settings.alertopsUrl);
  const res = await services.http.send({
    target: "alertops",
    method: "POST",
    url: url.toString(),
    tenantUrl: true,
    json: alertOpsBody(message),
    retries: opts.retries,
    displayUrl: `${url.origin}/… (AlertOps integration URL, hidden: it carries the API key)`,
  });
  return { status: res.status, body: excerpt(res.text()) };
};
