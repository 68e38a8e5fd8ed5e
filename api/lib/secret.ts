import { hkdfSync, randomBytes } from "node:crypto";
import path from "node:path";
import { PrivateFileError, readPrivateFile } from "./privateFile";
import { writeFileOnce } from "./writeOnce";

export const SECRET_FILE = "api-secret";

/** The shortest root secret accepted from API_SECRET or API_SECRET_FILE. */
const MIN_SECRET_CHARS = 32;

/**
 * The API's root secret: `API_SECRET` when set, else the file `API_SECRET_FILE` names (kept outside
 * DATA_DIR, e.g. a mounted secret), else a random one generated once into `${dataDir}/api-secret`
 * (mode 0600) so every replica on one machine signs alike. Either file must be private to its
 * owner (no group/other bits): otherwise the API refuses to start, naming the chmod. Each use
 * derives its own key with {@link deriveKey}, never the root itself.
 */
export function loadSecret(opts: {
  fromEnv: string | null;
  fromFile: string | null;
  dataDir: string;
}): Buffer {
  if (opts.fromEnv !== null) return Buffer.from(opts.fromEnv, "utf8");
  if (opts.fromFile) {
    const text = readPrivateFile(path.resolve(opts.fromFile))?.trim();
    if (text === undefined) throw new PrivateFileError(`API_SECRET_FILE: ${opts.fromFile} does not exist`);
    if (text.length < MIN_SECRET_CHARS) {
      throw new PrivateFileError(
        `API_SECRET_FILE: ${opts.fromFile} must hold at least ${MIN_SECRET_CHARS} characters`,
      );
    }
    return Buffer.from(text, "utf8");
  }
  const file = path.resolve(opts.dataDir, SECRET_FILE);
  const existing = readSecretFile(file);
  if (existing) return existing;
  writeFileOnce(file, `${randomBytes(32).toString("hex")}\n`);
  const created = readSecretFile(file);
  if (!created) throw new Error(`${file} is empty; remove it to generate a new secret`);
  return created;
}

function readSecretFile(file: string): Buffer | null {
  const trimmed = readPrivateFile(file)?.trim();
  return trimmed ? Buffer.from(trimmed, "utf8") : null;
}

/** A 32-byte key for one purpose ("cursor", "session", …), so one leak never serves another use. */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), `dimo-console:${purpose}`, 32));
}
