import { parse as parseYaml } from "yaml";
import type { VersionFolder } from "./archive-scan";

export type TemplateKind = "environment" | "service";

/** A version folder that is a valid Proton bundle, with what registration needs to know. */
export interface TemplateBundle {
  template: string;
  major: number;
  kind: TemplateKind;
  files: Map<string, Buffer>;
  /** Service templates: `compatible_environments` of `.template-registration.yaml`. */
  compatibleEnvironments: Array<{ templateName: string; majorVersion: string }>;
  supportedComponentSources: string[];
  /** Service templates without `pipeline_infrastructure/` are created with CUSTOMER_MANAGED pipelines. */
  customerManagedPipeline: boolean;
}

export const REGISTRATION_FILE = ".template-registration.yaml";

/**
 * How a folder says what it is (the layout of Proton's own template sync):
 * - a **service** template has `instance_infrastructure/manifest.yaml` and a `.template-registration.yaml`
 *   listing `compatible_environments: ["<env template>:<major>", …]`; `pipeline_infrastructure/` is optional;
 * - anything else with `schema/schema.yaml` is an **environment** template (`infrastructure/manifest.yaml`,
 *   or only `schema/` for a customer-managed environment).
 */
export function readTemplateFolder(folder: VersionFolder): { ok: true; bundle: TemplateBundle } | { ok: false; reason: string } {
  const has = (p: string) => folder.files.has(p);
  const under = (dir: string) => [...folder.files.keys()].some((k) => k.startsWith(`${dir}/`));
  if (!has("schema/schema.yaml")) return { ok: false, reason: "no schema/schema.yaml" };
  const isService = under("instance_infrastructure") || has(REGISTRATION_FILE);
  const base = { template: folder.template, major: folder.major, files: folder.files };
  if (!isService) {
    if (under("infrastructure") && !has("infrastructure/manifest.yaml")) return { ok: false, reason: "infrastructure/ without manifest.yaml" };
    return { ok: true, bundle: { ...base, kind: "environment", compatibleEnvironments: [], supportedComponentSources: [], customerManagedPipeline: false } };
  }
  if (!has("instance_infrastructure/manifest.yaml")) return { ok: false, reason: "service template without instance_infrastructure/manifest.yaml" };
  if (under("pipeline_infrastructure") && !has("pipeline_infrastructure/manifest.yaml")) {
    return { ok: false, reason: "pipeline_infrastructure/ without manifest.yaml" };
  }
  const reg = folder.files.get(REGISTRATION_FILE);
  if (!reg) return { ok: false, reason: `service template without ${REGISTRATION_FILE}` };
  let doc: unknown;
  try {
    doc = parseYaml(reg.toString("utf8"));
  } catch {
    return { ok: false, reason: `${REGISTRATION_FILE} is not valid YAML` };
  }
  const d = (doc ?? {}) as { compatible_environments?: unknown; supported_component_sources?: unknown };
  const envs = Array.isArray(d.compatible_environments) ? d.compatible_environments : [];
  const compatible: TemplateBundle["compatibleEnvironments"] = [];
  for (const e of envs) {
    const m = typeof e === "string" ? /^([0-9A-Za-z][0-9A-Za-z_-]{0,99}):([1-9]\d{0,5})$/.exec(e.trim()) : null;
    if (!m) return { ok: false, reason: `compatible_environments entry ${JSON.stringify(e).slice(0, 60)} is not <template>:<major>` };
    compatible.push({ templateName: m[1]!, majorVersion: m[2]! });
  }
  if (compatible.length < 1 || compatible.length > 10) return { ok: false, reason: "compatible_environments must list 1 to 10 entries" };
  const sources = Array.isArray(d.supported_component_sources) ? d.supported_component_sources.filter((s): s is string => s === "DIRECTLY_DEFINED") : [];
  return {
    ok: true,
    bundle: {
      ...base,
      kind: "service",
      compatibleEnvironments: compatible,
      supportedComponentSources: sources,
      customerManagedPipeline: !under("pipeline_infrastructure"),
    },
  };
}
