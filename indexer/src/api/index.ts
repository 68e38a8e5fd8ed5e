import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, graphql } from "ponder";

// The indexer's own HTTP port (INDEXER_PORT) serves analysts: Ponder's read-only SQL over HTTP
// (single SELECTs, 500 ms statement timeout) and GraphQL (pages ≤ 1000 rows, depth/alias limits).
// The console API lives in api/ and reads the same tables through the views schema.
const app = new Hono();

app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

export default app;
