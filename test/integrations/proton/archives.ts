import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

export type ArchiveEntry = string | Buffer | { symlink: string } | { hardlink: string };

/**
 * A gzipped tar as Bitbucket serves `…/get/<sha>.tar.gz`: every path under one top-level folder
 * `<ws>-<slug>-<short sha>/`. Names given with a leading `!` are written as-is (no top folder), to
 * forge absolute or traversal entries.
 */
export async function bitbucketArchive(commit: string, files: Record<string, ArchiveEntry>, top = `acme-widgets-${commit.slice(0, 12)}`): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    p.on("end", resolve);
    p.on("error", reject);
  });
  const add = (header: Parameters<typeof p.entry>[0], body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) p.entry(header, body, cb);
      else p.entry(header, cb);
    });
  await add({ name: `${top}/`, type: "directory", mode: 0o755 });
  for (const [name, entry] of Object.entries(files)) {
    const full = name.startsWith("!") ? name.slice(1) : `${top}/${name}`;
    if (typeof entry === "string" || Buffer.isBuffer(entry)) {
      await add({ name: full, type: "file", mode: 0o644, mtime: new Date() }, Buffer.from(entry));
    } else if ("symlink" in entry) {
      await add({ name: full, type: "symlink", linkname: entry.symlink });
    } else {
      await add({ name: full, type: "link", linkname: entry.hardlink });
    }
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** An environment template version folder (CloudFormation). */
export function environmentTemplate(dir: string, marker = "v1"): Record<string, string> {
  return {
    [`${dir}/schema/schema.yaml`]: `schema:\n  format:\n    openapi: "3.0.0"\n  environment_input_type: "Input"\n  types:\n    Input:\n      type: object\n      description: ${marker}\n`,
    [`${dir}/infrastructure/manifest.yaml`]: `infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n`,
    [`${dir}/infrastructure/cloudformation.yaml`]: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16 # ${marker}\n`,
  };
}

/** A service template version folder compatible with `env:major`. */
export function serviceTemplate(dir: string, compatible: string[], marker = "v1"): Record<string, string> {
  return {
    [`${dir}/schema/schema.yaml`]: `schema:\n  format:\n    openapi: "3.0.0"\n  service_input_type: "Input"\n  types:\n    Input:\n      type: object\n      description: ${marker}\n`,
    [`${dir}/instance_infrastructure/manifest.yaml`]: `infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n`,
    [`${dir}/instance_infrastructure/cloudformation.yaml`]: `Resources:\n  Service:\n    Type: AWS::ECS::Service # ${marker}\n`,
    [`${dir}/.template-registration.yaml`]: `compatible_environments:\n${compatible.map((c) => `  - ${c}`).join("\n")}\n`,
  };
}

/** A ustar header block for a regular file of `size` bytes. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, "0")}\0`, 136);
  h.write("        ", 148);
  h.write("0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

/**
 * A gzip bomb as cheap to build as it is to send: one file of `mib` MiB of zeros, as concatenated gzip
 * members (gunzip reads them as one stream) of 1 MiB each, the same ~1 KiB member repeated. Returned as
 * the list of members so a test can count how many were read.
 */
export function gzipBombMembers(mib: number, top = "acme-widgets-bomb"): Buffer[] {
  const MiB = 1024 * 1024;
  const zeros = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return [
    gzipSync(tarHeader(`${top}/bomb.bin`, mib * MiB)),
    ...Array.from({ length: mib }, () => zeros),
    gzipSync(Buffer.alloc(1024)), // end-of-archive
  ];
}
