import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual, createHash, hkdfSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../config/logger";

const VERSION = "v1";

function keyBytes(material: string): Buffer {
  const raw = /^[0-9a-f]{64}$/i.test(material) ? Buffer.from(material, "hex") : Buffer.from(material, "base64");
  if (raw.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes, hex (64 chars) or base64");
  return raw;
}

/** A new key for ENCRYPTION_KEY: 32 random bytes as 64 hex characters (`node dist/main.js generate-key`). */
export function generateKeyMaterial(): string {
  return randomBytes(32).toString("hex");
}

/**
 * AES-256-GCM for secrets at rest. Ciphertext format: `v1:<iv b64>:<tag b64>:<data b64>`.
 * Associated data binds a ciphertext to its row (e.g. the installation id), so a value copied to
 * another tenant's row does not decrypt.
 *
 * Rotation: encryption always uses the current key; decryption tries the current key, then each
 * previous key (ENCRYPTION_KEY_PREVIOUS), the GCM tag telling which one sealed the value.
 * `reseal` moves one value to the current key (src/crypto/rotation.ts does every stored one).
 */
export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    private readonly previous: Buffer[] = [],
  ) {}

  static fromKeyMaterial(material: string, previous: string[] = []): SecretBox {
    return new SecretBox(keyBytes(material), previous.map(keyBytes));
  }

  /** Whether previous keys are configured (a rotation is under way). */
  get rotating(): boolean {
    return this.previous.length > 0;
  }

  /** Key from ENCRYPTION_KEY (+ previous keys), or on a laptop a generated one under the data folder (with a warning). */
  static load(envKey: string | undefined, dataDir: string, log: Logger, isProduction: boolean, previous: string[] = []): SecretBox {
    if (envKey) return SecretBox.fromKeyMaterial(envKey, previous);
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

  private open(key: Buffer, sealed: string, aad: string): string {
    const [version, iv, tag, data] = sealed.split(":");
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("Unrecognised ciphertext");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  }

  /** The plain text; throws when neither the current nor a previous key opens it (or the aad differs). */
  decrypt(sealed: string, aad = ""): string {
    try {
      return this.open(this.key, sealed, aad);
    } catch (err) {
      for (const key of this.previous) {
        try {
          return this.open(key, sealed, aad);
        } catch {
          // the next key
        }
      }
      throw err;
    }
  }

  /**
   * The value sealed again under the current key, or null when it already is. Throws when no
   * configured key opens it.
   */
  reseal(sealed: string, aad = ""): string | null {
    try {
      this.open(this.key, sealed, aad);
      return null;
    } catch {
      return this.encrypt(this.decrypt(sealed, aad), aad);
    }
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
