
export interface Rejection {
  path: string;
  reason: string;
}

/** Where a safe entry sits: inside a template version folder (`<template>/v<N>/<file>`) or elsewhere. */
export type EntryPlace =
  | { kind: "reject"; reason: string }
  | { kind: "skip" }
  | { kind: "template-file"; template: string; major: number; file: string };

const TEMPLATE_NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;
const MAJOR = /^v([1-9]\d{0,5})$/;

/**
 * Decides what to do with one tar entry, before its content is read. Bitbucket's archives wrap the
 * tree in one top-level folder, which is stripped. Absolute names, `..` segments, links and special
 * files are rejected (reported, never read, never followed).
 */
/** The header fields the rules read (tar-stream's Header, or a pax/GNU variant). */
export interface EntryHeader {
  name: string;
  type?: string | null;
  size?: number;
  linkname?: string | null;
}

export function placeEntry(header: EntryHeader, templatesPath: string, maxEntryBytes: number): EntryPlace {
  const raw = header.name;
  if (!raw || raw.includes("\0")) return { kind: "reject", reason: "empty or invalid name" };
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw) || raw.includes("\\")) return { kind: "reject", reason: "absolute or Windows path" };
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s === "..")) return { kind: "reject", reason: "path traversal (..)" };
  const type = header.type ?? "file";
  if (type === "symlink" || type === "link") return { kind: "reject", reason: `${type} to ${String(header.linkname ?? "?").slice(0, 200)} (links are not followed)` };
  if (type === "directory" || type === "pax-header" || type === "pax-global-header") return { kind: "skip" };
  if (type !== "file" && type !== "contiguous-file") return { kind: "reject", reason: `unsupported entry type ${type}` };
  const rel = segments.slice(1); // Bitbucket's top-level folder
  const base = templatesPath ? templatesPath.split("/") : [];
  if (rel.length < base.length + 3 || base.some((b, i) => rel[i] !== b)) return { kind: "skip" };
  const [template, version, ...file] = rel.slice(base.length) as [string, string, ...string[]];
  const m = MAJOR.exec(version);
  if (!m || !TEMPLATE_NAME.test(template)) return { kind: "skip" };
  if ((header.size ?? 0) > maxEntryBytes) return { kind: "reject", reason: `file larger than ${Math.round(maxEntryBytes / 1048576)} MiB` };
  return { kind: "template-file", template, major: Number(m[1]), file: file.join("/") };
}
