import { hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { writeFileOnce } from "./writeOnce";

export const SECRET_FILE = "api-secret";

/**
 * The API's root secret: `API_SECRET` when set, else a random one generated once into
 * `${dataDir}/api-secret` (mode 0600) so every replica on one machine signs alike. Cursors today,
 * sessions later: each use derives its own key with {@link deriveKey}, never the root itself.
 */
export function loadSecret(opts: { fromEnv: string | null; dataDir: string }): Buffer {
  if (opts.fromEnv !== null) return Buffer.from(opts.fromEnv, "utf8");
  const file = path.resolve(opts.dataDir, SECRET_FILE);
  const existing = readSecretFile(file);
  if (existing) return existing;
  writeFileOnce(file, `${randomBytes(32).toString("hex")}\n`);
  const created = readSecretFile(file);
  if (!created) throw new Error(`${file} is empty; remove it to generate a new secret`);
  return created;
}

function readSecretFile(file: string): Buffer | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const trimmed = text.trim();
  return trimmed === "" ? null : Buffer.from(trimmed, "utf8");
}

/** A 32-byte key for one purpose ("cursor", "session", …), so one leak never serves another use. */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), `dimo-console:${purpose}`, 32));
}
