import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ChainConfig } from "../../config";
import type { ChainIdentity } from "./chainIdentity";
import { ROOT } from "./paths";

export const DEPLOYMENT_SCHEMA_PREFIX = "idx_";
export const VIEWS_SCHEMA = "dimo";

function filesUnder(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/**
 * The Ponder deployment schema for this code on this chain. Ponder only resumes a schema built by
 * the same app (else it refuses to start), so the name hashes everything that decides the indexed
 * rows: indexer code and helpers, the domain rules it imports, ABIs, config, the deployment and
 * the chain's identity. Same inputs → same schema → crash recovery resumes; any change → a new
 * schema is built beside the old one and the stable views schema moves to it once it is ready.
 */
export function deploymentSchemaName(chain: ChainConfig, identity: ChainIdentity): string {
  const hash = createHash("sha256");
  const sources = ["indexer", "domain", "abis", "config"].flatMap(filesUnder);
  for (const file of sources) {
    if (file.includes(`${path.sep}.ponder${path.sep}`)) continue;
    hash.update(path.relative(ROOT, file)).update(fs.readFileSync(file));
  }
  hash.update(fs.readFileSync(path.join(ROOT, "ponder.config.ts")));
  hash.update(
    JSON.stringify({
      chainId: chain.chainId,
      genesis: identity.genesisHash,
      devLicense: chain.devLicense,
      vehicleId: chain.vehicleId,
      sacd: chain.sacd,
      startBlock: chain.startBlock,
    }),
  );
  return `${DEPLOYMENT_SCHEMA_PREFIX}${hash.digest("hex").slice(0, 16)}`;
}
