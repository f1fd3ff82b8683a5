import { z } from "zod";

/**
 * The claims of a Forge Invocation Token (FIT) that the remote reads, after jose has checked the
 * signature, issuer, audience and expiry. Shapes: shared/reference/forge/fit (documented claim
 * table); unknown fields pass through. Bitbucket contexts carry `workspaceId` (bare uuid).
 */
const InstallationContext = z
  .object({ name: z.string(), apiBaseUrl: z.string().url().optional(), workspaceId: z.string().min(1).optional() })
  .passthrough();

export const FitClaimsSchema = z
  .object({
    app: z
      .object({
        id: z.string().min(1),
        installationId: z.string().regex(/^ari:cloud:ecosystem::installation\/[A-Za-z0-9-]+$/, "is not an installation ari"),
        apiBaseUrl: z.string().url(),
        appVersion: z.string().optional(),
        environment: z.object({ type: z.string(), id: z.string() }).passthrough().optional(),
        module: z.object({ type: z.string(), key: z.string() }).passthrough().optional(),
        installation: z
          .object({ id: z.string().optional(), contexts: z.array(InstallationContext).default([]) })
          .passthrough()
          .optional(),
      })
      .passthrough(),
    context: z
      .object({
        workspaceId: z.string().optional(),
        extension: z
          .object({
            type: z.string().optional(),
            repository: z.object({ uuid: z.string().min(1) }).passthrough().optional(),
          })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .optional(),
    principal: z.string().min(1).optional(),
  })
  .passthrough();

export type FitClaims = z.infer<typeof FitClaimsSchema>;

/**
 * Who invoked the remote: `frontend` (a Custom UI module's `invokeRemote`, on behalf of the user in
 * `principal`) or `backend` (a trigger, scheduled trigger or lifecycle event through a `core:endpoint`).
 * Forge documents `app.module.type` as the UI module's type for frontend invocations and
 * `core:endpoint` otherwise, and `principal` as present for UI modules only
 * (shared/reference/forge/fit/remote-contract.json). A FIT that carries either frontend mark is
 * frontend: the user controls an invokeRemote path, so such a token must never reach a backend route.
 */
export type InvocationKind = "frontend" | "backend";
export function invocationKind(claims: FitClaims): InvocationKind {
  const type = claims.app.module?.type;
  if (claims.principal || (type !== undefined && type !== "core:endpoint")) return "frontend";
  return "backend";
}

/** `{uuid}` with braces, lower case, as Bitbucket writes workspace and repository UUIDs. */
export function bracedUuid(uuid: string): string {
  return `{${uuid.replace(/[{}]/g, "").toLowerCase()}}`;
}

/** The Bitbucket workspace and API base URL the FIT is for (the bitbucket installation context first). */
export function bitbucketContextOf(claims: FitClaims): { workspaceUuid: string; apiBaseUrl: string } | null {
  const ctx = claims.app.installation?.contexts.find((c) => c.name === "bitbucket" && c.workspaceId);
  const workspace = ctx?.workspaceId ?? claims.context?.workspaceId;
  if (!workspace) return null;
  return { workspaceUuid: bracedUuid(workspace), apiBaseUrl: ctx?.apiBaseUrl ?? claims.app.apiBaseUrl };
}

/** The uuid part of `ari:cloud:ecosystem::installation/<uuid>` (lifecycle payloads give it bare). */
export function installationUuidOf(installationAri: string): string {
  return installationAri.slice(installationAri.lastIndexOf("/") + 1);
}
