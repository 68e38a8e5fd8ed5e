import fs from "node:fs";
import path from "node:path";
import type { Context } from "hono";
import { NotFoundError } from "../errors";
import type { ApiApp } from "../http/types";

// The console web app (web/, built by scripts/web/build.ts) served from `/`. Mounted after every
// API route: paths whose first segment an API route uses (/v1, /console, /auth, /docs…) are never
// the app's, so an unknown API path keeps its JSON 404; any other GET gets index.html and the app
// routes in the browser (deep links like /licenses/7). Hashed assets are cached for a year.

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};
const IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html names the current hashed assets: revalidate it every time. */
const REVALIDATE = "no-cache";

type File = { body: Uint8Array; type: string };

/** Every file of the build, read once (a few hundred KB): `/assets/x.js` → bytes. */
function readBuild(dir: string): Map<string, File> {
  const files = new Map<string, File>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory()) walk(child);
      else {
        const type = TYPES[path.extname(entry.name)];
        if (type) files.set(`/${child}`, { body: fs.readFileSync(path.join(dir, child)), type });
      }
    }
  };
  walk("");
  return files;
}

/** First path segments some API route answers (`/v1/...` → "v1"; `/health` → "health"). */
function apiSegments(app: ApiApp): Set<string> {
  const segments = new Set<string>();
  for (const route of app.routes) {
    const first = route.path.split("/")[1];
    if (first && first !== "*" && !first.startsWith(":")) segments.add(first);
  }
  return segments;
}

/**
 * Serves the built app from `dir` (index.html + assets/). When the folder holds no build, `/`
 * says how to build it instead of a bare 404.
 */
export function registerWebRoutes(app: ApiApp, dir: string | null) {
  const reserved = apiSegments(app);
  const built = dir !== null && fs.existsSync(path.join(dir, "index.html"));
  const files = built ? readBuild(dir) : new Map<string, File>();
  const index = files.get("/index.html");

  const answer = (c: Context, file: File, cache: string) =>
    c.body(file.body as Uint8Array<ArrayBuffer>, 200, { "Content-Type": file.type, "Cache-Control": cache });

  app.get("/*", async (c, next) => {
    const p = c.req.path;
    const first = p.split("/")[1] ?? "";
    if (reserved.has(first)) return next();
    if (!index) {
      throw new NotFoundError(
        "The console web app is not built: run `npm run web:build` (npm start builds it)",
      );
    }
    const file = files.get(p);
    if (file && p !== "/index.html")
      return answer(c, file, p.startsWith("/assets/") ? IMMUTABLE : REVALIDATE);
    // A missing hashed asset is an old page asking for a file this build no longer has: 404, not HTML.
    if (first === "assets" || path.extname(p) !== "") return next();
    return answer(c, index, REVALIDATE);
  });
}
