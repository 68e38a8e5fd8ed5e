import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ApiApp } from "../http/types";

// /openapi.json is generated from the very route definitions that validate requests; /docs
// renders it with Swagger UI whose files come from node_modules/swagger-ui-dist through this
// server (no CDN), so the page works offline and under a strict `script-src 'self'` CSP.

const require = createRequire(import.meta.url);
const SWAGGER_DIR = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>DIMO Console API</title>
    <link rel="stylesheet" href="docs/assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/assets/swagger-ui-bundle.js"></script>
    <script src="docs/init.js"></script>
  </body>
</html>
`;

// An external file rather than an inline script, so the CSP needs no 'unsafe-inline' for scripts.
const INIT = `window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

export function registerDocsRoutes(
  app: ApiApp,
  info: { title: string; version: string; description: string },
) {
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info,
    tags: [
      { name: "Licenses", description: "Developer licenses (DevLicenseDimo)" },
      { name: "Vehicles", description: "Vehicles and their grants (VehicleId, SACD)" },
      { name: "Aliases", description: "License alias availability" },
      { name: "Stats", description: "Counts over the index" },
      {
        name: "Identity GraphQL",
        description:
          "DIMO identity-api's GraphQL schema over the same data (GraphiQL: /docs/identity, SDL: /docs/identity.graphql)",
      },
      { name: "System", description: "Liveness, readiness and indexer status" },
    ],
  });

  const cache = new Map<string, Buffer>();
  const asset = (name: string) => {
    let body = cache.get(name);
    if (!body) {
      body = fs.readFileSync(path.join(SWAGGER_DIR, name));
      cache.set(name, body);
    }
    return body;
  };

  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/", (c) => c.redirect("/docs", 301));
  app.get("/docs/init.js", (c) =>
    c.body(INIT, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=300",
    }),
  );
  app.get("/docs/assets/:name", (c) => {
    const name = c.req.param("name");
    const type = ASSETS[name];
    if (!type) return c.notFound();
    return c.body(new Uint8Array(asset(name)), 200, {
      "Content-Type": type,
      "Cache-Control": "public, max-age=86400",
    });
  });
}
