import { createRoute, z } from "@hono/zod-openapi";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import { ApiError } from "../errors";
import { unavailableMessage } from "../http/errors";
import { json, parsedByHandler } from "../http/openapi";
import type { ApiApp } from "../http/types";
import { loggable } from "../lib/loggable";
import type { IdentityGraphql } from "../services/identity/index";

// POST/GET /query: DIMO identity-api's GraphQL endpoint over the indexed data
// (docs/identity-graphql.md), served by graphql-yoga. Answers are GraphQL's own: `data` and
// `errors`, every error with an `extensions.code` (identity-api's NOT_FOUND, gqlgen's
// GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED, and for the rest BAD_USER_INPUT, BAD_REQUEST,
// UNAVAILABLE or INTERNAL_SERVER_ERROR). HTTP statuses follow gqlgen's: 200 once a query runs,
// 422 for a document that does not parse or validate, 400 for a request that is not GraphQL.
// The schema, GraphiQL (files from node_modules, no CDN) and the SDL are under /docs/identity.

const tags = ["Identity GraphQL"];

const GraphqlRequest = z
  .object({
    query: z.string().openapi({
      example: "{ developerLicenses(first: 2) { totalCount nodes { tokenId clientId alias } } }",
    }),
    variables: z.record(z.string(), z.unknown()).nullable().optional(),
    operationName: z.string().nullable().optional(),
  })
  .openapi("GraphqlRequest");

const GraphqlError = z
  .object({
    message: z.string(),
    path: z.array(z.union([z.string(), z.number()])).optional(),
    locations: z.array(z.object({ line: z.number(), column: z.number() })).optional(),
    extensions: z.object({ code: z.string() }).passthrough(),
  })
  .openapi("GraphqlError");

const GraphqlResponse = z
  .object({
    data: z.record(z.string(), z.unknown()).nullable().optional(),
    errors: z.array(GraphqlError).optional(),
  })
  .openapi("GraphqlResponse");

const responses = {
  200: json(GraphqlResponse, "The answer: `data`, and `errors` for fields that failed (e.g. NOT_FOUND)"),
  400: json(GraphqlResponse, "Not a GraphQL request (BAD_REQUEST): no query, malformed JSON or variables"),
  422: json(GraphqlResponse, "The document does not parse or validate, or is over the depth or cost limit"),
};

const post = createRoute({
  method: "post",
  path: "/query",
  tags,
  summary: "identity-api-compatible GraphQL (licenses, signers, redirect URIs, vehicles, grants)",
  description:
    "The subset of DIMO identity-api's schema this API indexes, with its shapes, orderings and cursors. " +
    "Schema and GraphiQL: /docs/identity; SDL: /docs/identity.graphql.",
  request: { body: { content: { "application/json": { schema: GraphqlRequest } }, required: true } },
  responses,
});

const get = createRoute({
  method: "get",
  path: "/query",
  tags,
  summary: "The same GraphQL endpoint with the query in the URL",
  request: {
    query: z.object({
      query: z.string(),
      variables: z.string().optional().openapi({ description: "JSON object" }),
      operationName: z.string().optional(),
    }),
  },
  responses,
});

/** The error with this code (and HTTP status), and none of yoga's internals (originalError, http). */
function withCode(error: GraphQLError, code: string, status?: number): GraphQLError {
  const { http: _http, originalError: _original, ...extensions } = error.extensions ?? {};
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions: { ...extensions, code, ...(status ? { http: { spec: false, status } } : {}) },
  });
}

/**
 * Adds the depth and cost rule to GraphQL's validation, and gives every error a code and gqlgen's
 * status: yoga codes parse and validation failures (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED)
 * but answers them 200 to `application/json`; gqlgen, and so identity-api, answers 422.
 */
function errorCodes(rules: IdentityGraphql["rules"]): Plugin {
  return {
    onValidate: ({ addValidationRule }) => {
      for (const rule of rules) addValidationRule(rule);
    },
    onResultProcess: ({ result, setResult }) => {
      if (Array.isArray(result) || !("errors" in result) || !result.errors?.length) return;
      const ran = "data" in result;
      const errors = result.errors.map((e) => {
        const error = e as GraphQLError;
        const code = error.extensions?.["code"];
        if (code === "GRAPHQL_PARSE_FAILED" || code === "GRAPHQL_VALIDATION_FAILED")
          return withCode(error, code, 422);
        if (!ran) {
          // Not a GraphQL request at all (no query, JSON that does not parse, bad variables).
          const http = error.extensions?.["http"] as { status?: number } | undefined;
          return withCode(error, "BAD_REQUEST", http?.status ?? 400);
        }
        return typeof code === "string" ? error : withCode(error, "BAD_USER_INPUT");
      });
      setResult({ ...result, errors });
    },
  };
}

export function registerIdentityRoutes(app: ApiApp, identity: IdentityGraphql, opts: { logger: Logger }) {
  const yoga = createYoga({
    schema: identity.schema,
    graphqlEndpoint: "/query",
    graphiql: false,
    landingPage: false,
    logging: false,
    context: () => identity.context(),
    maskedErrors: {
      // Errors the resolvers mean pass; the services' typed errors keep their message; anything
      // else is logged and answered "Internal error", as identity-api does.
      maskError(error) {
        let original: unknown = error;
        while (original instanceof GraphQLError && original.originalError) original = original.originalError;
        // GraphQL's own errors and the resolvers' (GraphQLError all the way down) are for the client.
        if (original instanceof GraphQLError) return error as Error;
        // yoga parses `variables`/`extensions` of a query string or form with a bare JSON.parse.
        if (original instanceof SyntaxError) {
          return new GraphQLError("variables and extensions must be JSON", {
            extensions: { code: "BAD_REQUEST", http: { status: 400 } },
          });
        }
        const at = error instanceof GraphQLError ? error : undefined;
        const located = (message: string, code: string) =>
          new GraphQLError(message, {
            nodes: at?.nodes ?? null,
            path: at?.path ?? null,
            extensions: { code },
          });
        if (original instanceof ApiError && original.status < 500) {
          return located(original.message, original.code.toUpperCase());
        }
        const unavailable =
          unavailableMessage(original) ??
          (original instanceof ApiError && original.status === 503 ? original.message : null);
        if (unavailable) {
          opts.logger.warn({ error: loggable(original) }, "identity graphql: database unavailable");
          return located(unavailable, "UNAVAILABLE");
        }
        opts.logger.error({ err: original }, "identity graphql: unhandled error");
        return located("Internal error", "INTERNAL_SERVER_ERROR");
      },
    },
    plugins: [errorCodes(identity.rules)],
  });

  // Like identity-api (gqlgen), answer JSON whatever the Accept header says: yoga would answer
  // some Accept values with a bodyless 406, or with its streaming formats.
  const handle = (request: Request) => {
    const headers = new Headers(request.headers);
    headers.set("accept", "application/json");
    const init: RequestInit & { duplex?: "half" } = { method: request.method, headers };
    if (request.body) {
      init.body = request.body;
      init.duplex = "half";
    }
    return Promise.resolve(yoga.fetch(new Request(request.url, init), {})).then(async (res) => {
      if (res.status < 400 || res.headers.get("content-type")?.includes("application/json")) return res;
      // yoga's bodyless refusals (415 for a body that is not JSON, 405 for another method).
      const message = `Not a GraphQL request: ${res.statusText || `HTTP ${res.status}`} (send a JSON body {"query"} or GET ?query=)`;
      await res.body?.cancel();
      return Response.json(
        { errors: [{ message, extensions: { code: "BAD_REQUEST" } }] },
        { status: res.status },
      );
    });
  };
  app.openapi(parsedByHandler(app, post), (c) => handle(c.req.raw) as never);
  app.openapi(parsedByHandler(app, get), (c) => handle(c.req.raw) as never);
}

type GraphiqlAssets = typeof import("@graphql-yoga/render-graphiql/graphiql");

// GraphiQL for the schema: @graphql-yoga/render-graphiql ships React, GraphiQL and Monaco built into
// strings, which it would inline into one page with blob: workers; here each is its own file from
// this server, so the page runs under the API's CSP (scripts and workers from 'self' only).
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>DIMO identity GraphQL</title>
    <link rel="stylesheet" href="identity/graphiql.css" />
    <link rel="icon" href="data:," />
  </head>
  <body style="margin: 0">
    <div id="root" style="height: 100vh"></div>
    <script src="identity/graphiql.js"></script>
    <script src="identity/init.js"></script>
  </body>
</html>
`;

const INIT = `const base = document.baseURI;
self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: (_moduleId, label) =>
    new URL("identity/" + ({ json: "json-worker.js", graphql: "graphql-worker.js" }[label] || "editor-worker.js"), base).href,
};
YogaGraphiQL.renderYogaGraphiQL(document.querySelector("#root"), {
  endpoint: new URL("../query", base).pathname,
  title: "DIMO identity GraphQL",
});
`;

const FILES: Record<string, { type: string; body: (a: GraphiqlAssets) => string }> = {
  "graphiql.js": { type: "text/javascript; charset=utf-8", body: (a) => a.js },
  "graphiql.css": { type: "text/css; charset=utf-8", body: (a) => a.css },
  "editor-worker.js": { type: "text/javascript; charset=utf-8", body: (a) => a.editorWorkerService },
  "json-worker.js": { type: "text/javascript; charset=utf-8", body: (a) => a.jsonWorker },
  "graphql-worker.js": { type: "text/javascript; charset=utf-8", body: (a) => a.graphqlWorker },
  "init.js": { type: "text/javascript; charset=utf-8", body: () => INIT },
};

/** /docs/identity (GraphiQL), its files, and /docs/identity.graphql (the schema as SDL). */
export function registerIdentityDocsRoutes(app: ApiApp, identity: IdentityGraphql) {
  // 9 MB of strings: loaded on the first visit, not at start.
  let assets: Promise<GraphiqlAssets> | undefined;
  app.get("/docs/identity", (c) => c.html(PAGE));
  app.get("/docs/identity.graphql", (c) =>
    c.body(identity.sdl, 200, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": 'inline; filename="identity.graphql"',
      "Cache-Control": "public, max-age=300",
    }),
  );
  app.get("/docs/identity/:file", async (c) => {
    const file = FILES[c.req.param("file")];
    if (!file) return c.notFound();
    assets ??= import("@graphql-yoga/render-graphiql/graphiql");
    return c.body(file.body(await assets), 200, {
      "Content-Type": file.type,
      "Cache-Control": "public, max-age=86400",
    });
  });
}
