import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { type EmbeddedPg, startEmbeddedPostgres } from "../../scripts/runtime/embeddedPostgres";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the Postgres server tests create their databases on. */
    pgAdminUrl: string;
  }
}

let embedded: EmbeddedPg | undefined;
let dir: string | undefined;

/** Uses the Postgres named by TEST_DATABASE_URL (or DATABASE_URL), else starts an embedded one. */
export async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (given) {
    project.provide("pgAdminUrl", given);
    return;
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-test-pg-"));
  fs.chmodSync(dir, 0o755);
  embedded = await startEmbeddedPostgres({ dir: path.join(dir, "pg") });
  project.provide("pgAdminUrl", embedded.url());
}

export async function teardown() {
  await embedded?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
