/**
 * `npm run build`: everything `node dist/main.js` serves — the compiled server (`dist/`), the page
 * bundles (`static/build/`) and the Forge Custom UI resources (`static/forge/*`, which `forge lint`
 * and `forge deploy` read). Needs the dev dependencies (esbuild, tsx); run it before pruning them
 * (README, "Production").
 */
import path from "node:path";
import { buildServer, DIST_DIR, ROOT } from "./build-server";
import { buildUi } from "../ui/build";
import { buildForgeUi } from "../ui/forge/build";

async function main(): Promise<void> {
  const started = Date.now();
  const meta = await buildServer();
  const pages = await buildUi();
  const forge = await buildForgeUi();
  if (forge.missing.length) throw new Error(`Forge resources without a page: ${forge.missing.join(", ")}`);
  const outputs = Object.keys(meta.outputs).filter((f) => f.endsWith(".js")).length;
  process.stdout.write(
    `built ${path.relative(ROOT, DIST_DIR)}/ (${outputs} files), ${pages.length} page bundle(s), Forge resources ${forge.built.join(", ")} in ${Date.now() - started} ms\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
