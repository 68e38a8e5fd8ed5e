import fs from "node:fs";

/** A secret file that cannot be used: the message is the one line the process prints. */
export class PrivateFileError extends Error {
  override name = "PrivateFileError";
}

/**
 * The text of a secret file (API secret, wallet key, database password), or null when it does not
 * exist. A file other users may read or write is refused rather than used: whoever could read it
 * holds the secret already, and the owner must know. The message names the chmod that fixes it.
 */
export function readPrivateFile(file: string): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new PrivateFileError(
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (stat.isFile() && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    throw new PrivateFileError(`${file}: mode ${mode} lets other users read it; run \`chmod 600 ${file}\``);
  }
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new PrivateFileError(
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}
