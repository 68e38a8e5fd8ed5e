import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono, type MiddlewareHandler } from "hono";
import { client, graphql } from "ponder";

// The indexer's own HTTP port (INDEXER_PORT) serves analysts: Ponder's read-only SQL over HTTP
// (single SELECTs, read-only transactions) and GraphQL (pages ≤ 1000 rows, depth/alias limits).
// The console API lives in api/ and reads the same tables through the views schema.
// Both are built on first use: the GraphQL schema and the SQL parser's view analysis cost seconds
// of CPU, which a starting indexer better spends on its backfill.
const app = new Hono();

let sql: MiddlewareHandler | undefined;
let gql: MiddlewareHandler | undefined;
app.use("/sql/*", (c, next) => {
  sql ??= client({ db, schema });
  return sql(c, next);
});
app.use("/graphql", (c, next) => {
  gql ??= graphql({ db, schema });
  return gql(c, next);
});

export default app;
