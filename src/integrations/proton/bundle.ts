import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

/**
 * The content hash of a bundle: over the sorted file names and each file's SHA-256, so that it does
 * not depend on archive timestamps or entry order. Same files, same hash.
 */
export function contentHash(files: Map<string, Buffer>): string {
  const h = createHash("sha256");
  for (const name of [...files.keys()].sort()) {
    h.update(name).update("\0").update(createHash("sha256").update(files.get(name)!).digest("hex")).update("\n");
  }
  return h.digest("hex");
}

/** A deterministic tar.gz of a bundle (sorted entries, fixed mtime, owner and mode). */
export async function packBundle(files: Map<string, Buffer>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    p.on("end", resolve);
    p.on("error", reject);
  });
  for (const name of [...files.keys()].sort()) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: "", gname: "", type: "file" }, files.get(name)!, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}
