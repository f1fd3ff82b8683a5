import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Services } from "../core/services";
import { setPrincipal } from "../web/principal";
import { sendError } from "../web/errors";
import { ApiTokenError, apiTokenOf, verifyPageApiToken } from "./page-api-token";

/**
 * Authentication of `/connect/api/*`: the page API token (or a token Bitbucket signed for exactly
 * this request) becomes the host-agnostic principal; anything else is 401 with a short reason.
 * Verified here with atlassian-jwt rather than ACE's `checkValidToken`, which takes any
 * qsh-less or page token of the tenant (as github-for-jira verifies its Connect JWTs itself).
 */
export function pageApiAuth(services: Services): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = apiTokenOf(req);
    if (!token) return sendError(res, 401, "missing JWT (Authorization: JWT <token>)");
    try {
      const { principal, renewed } = await verifyPageApiToken(services, req, token);
      setPrincipal(res, principal);
      if (renewed) res.setHeader("X-acpt", renewed);
      next();
    } catch (err) {
      if (err instanceof ApiTokenError) return sendError(res, 401, `authentication failed: ${err.message}`);
      next(err);
    }
  };
}
