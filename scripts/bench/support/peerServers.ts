import { spawn } from "node:child_process";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import pg from "pg";
import { serveFetch } from "../../runtime/serveFetch";

// The API's peers, each a process of its own on @hono/node-server: "bare" answers a constant JSON
// body (what HTTP and JSON cost on this machine, the ceiling), "oneRow" is the route anyone would
// write first with Hono and pg: one query per request on a pool of 10, no validation, no
// middleware, no batching: the license row alone, or the shared-vehicles page in one statement.

export type PeerKind = "bare" | "oneRow";

const nowSeconds = () => Math.floor(Date.now() / 1000).toString();

function peerApp(kind: PeerKind, databaseUrl: string): Hono {
  const app = new Hono();
  if (kind === "bare") return app.get("/", (c) => c.json({ ok: true }));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  app.get("/v1/licenses/:id", async (c) => {
    const { rows } = await pool.query("SELECT * FROM dimo.license WHERE token_id = $1", [c.req.param("id")]);
    return rows[0] ? c.json(rows[0]) : c.json({ error: "not found" }, 404);
  });
  app.get("/v1/licenses/:id/vehicles", async (c) => {
    const { rows } = await pool.query(
      `SELECT s.vehicle_id, v.owner, s.grantee, s.permissions, s.expires_at, s.source, s.template_id
         FROM dimo.license l
         JOIN dimo.vehicle_sacd s ON s.grantee = l.client_id AND s.expires_at > $2
         LEFT JOIN dimo.vehicle v ON v.id = s.vehicle_id
        WHERE l.token_id = $1
        ORDER BY s.vehicle_id LIMIT 20`,
      [c.req.param("id"), nowSeconds()],
    );
    return c.json({ items: rows });
  });
  return app;
}

/** Starts a peer server in a child process; resolves once it listens. */
export async function startPeer(
  kind: PeerKind,
  databaseUrl = "",
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), kind, databaseUrl],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`peer server ${kind} exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, databaseUrl] = process.argv.slice(2) as [PeerKind, string];
  serveFetch(peerApp(kind, databaseUrl).fetch).then((s) => process.stdout.write(`${s.url}\n`));
}
