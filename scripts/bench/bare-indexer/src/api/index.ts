import { Hono } from "hono";

// Ponder requires an API file; the bare baseline serves only Ponder's own /health, /ready, /status.
export default new Hono();
