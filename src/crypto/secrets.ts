import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual, createHash, hkdfSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../config/logger";

const VERSION = "v1";

/**
 * AES-256-GCM for secrets at rest. Ciphertext format: `v1:<iv b64>:<tag b64>:<data b64>`.
 * Associated data binds a ciphertext to its row (e.g. the installation id), so a value copied to
 * another tenant's row does not decrypt.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKeyMaterial(material: string): SecretBox {
    const raw = /^[0-9a-f]{64}$/i.test(material) ? Buffer.from(material, "hex") : Buffer.from(material, "base64");
    if (raw.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes, hex (64 chars) or base64");
    return new SecretBox(raw);
  }

  /** Key from ENCRYPTION_KEY, or on a laptop a generated one under the data folder (with a warning). */
  static load(envKey: string | undefined, dataDir: string, log: Logger, isProduction: boolean): SecretBox {
    if (envKey) return SecretBox.fromKeyMaterial(envKey);
    if (isProduction) throw new Error("ENCRYPTION_KEY is required in production");
    const file = path.join(dataDir, "encryption.key");
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
    }
    log.warn({ file }, "ENCRYPTION_KEY is not set: using a generated key from the data folder (development only)");
    return SecretBox.fromKeyMaterial(fs.readFileSync(file, "utf8").trim());
  }

  /**
   * A 32-byte key for one purpose (e.g. "relay cookie session v1"), derived from the encryption key
   * with HKDF-SHA256 (RFC 5869): keys of different purposes are independent, and none reveals this one.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync("sha256", this.key, Buffer.alloc(0), `relay:${purpose}`, 32));
  }

  encrypt(plain: string, aad = ""): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [VERSION, iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
  }

  decrypt(sealed: string, aad = ""): string {
    const [version, iv, tag, data] = sealed.split(":");
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("Unrecognised ciphertext");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  }

  encryptJson(value: Record<string, string>, aad = ""): string {
    return this.encrypt(JSON.stringify(value), aad);
  }

  decryptJson(sealed: string | null | undefined, aad = ""): Record<string, string> {
    if (!sealed) return {};
    return JSON.parse(this.decrypt(sealed, aad)) as Record<string, string>;
  }
}

/** Constant-time comparison of two strings of possibly different lengths. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
