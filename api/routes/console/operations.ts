import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { commonErrors, errors, json, notFoundError } from "../../http/openapi";
import { limitQuery } from "../../http/schemas";
import type { ConsoleAuth } from "../../http/session";
import type { ApiApp } from "../../http/types";
import { Operation, OperationAnswer } from "../../services/console/schemas";
import type { ConsoleServices } from "../../services/index";
import { needOps } from "../../services/index";
import { Balances, BuyDcxBody, OperationList, SubmittedBody, WaitQuery } from "./operationSchemas";
import { SESSION_SECURITY, sessionErrors } from "./schemas";

const tags = ["Console operations"];
const IdParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, description: "Operation id (uuid)" }),
});
const DEFAULT_WAIT_SECONDS = 20;
/** An SSE stream ends after this long; the client reconnects (and gets the current state first). */
const SSE_MAX_MS = 120_000;

/** My operations: read, wait for, stream, report an external wallet's hash, cancel; DCX and balances. */
export function registerOperationRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  const middleware = auth.requireSession;

  const getOne = createRoute({
    method: "get",
    path: "/console/operations/{id}",
    tags,
    summary: "One of my operations; with ?wait=indexed, held until the change is visible (≤ 30 s)",
    description:
      "Long-poll: `wait` names the status to wait for (`indexed` = the API's reads show the change); the answer " +
      "comes as soon as it is reached, the operation fails, or `timeout` seconds pass (then with the current " +
      "status: ask again). No fixed sleeps, no refresh. A session holds at most OPERATIONS_MAX_WAITERS_PER_SESSION " +
      "long-polls and event streams at once (429 beyond).",
    security: SESSION_SECURITY,
    middleware,
    request: { params: IdParams, query: WaitQuery },
    responses: { 200: json(Operation, "The operation"), ...sessionErrors, ...notFoundError, ...commonErrors },
  });

  const list = createRoute({
    method: "get",
    path: "/console/operations",
    tags,
    summary: "My latest operations, newest first",
    security: SESSION_SECURITY,
    middleware,
    request: { query: z.object({ limit: limitQuery }) },
    responses: { 200: json(OperationList, "Newest first"), ...sessionErrors, ...commonErrors },
  });

  const events = createRoute({
    method: "get",
    path: "/console/operations/{id}/events",
    tags,
    summary: "Server-sent events: the operation now, then at each change until indexed or failed",
    description:
      "Counts toward the session's OPERATIONS_MAX_WAITERS_PER_SESSION (429 before the stream starts). The stream " +
      "ends after 2 minutes; reconnect for the current state.",
    security: SESSION_SECURITY,
    middleware,
    request: { params: IdParams },
    responses: {
      200: { description: "text/event-stream of `operation` events (data: Operation JSON)" },
      ...sessionErrors,
      ...notFoundError,
    },
  });

  const submitted = createRoute({
    method: "post",
    path: "/console/operations/{id}/submitted",
    tags,
    summary: "Report the hash of a prepared transaction my external wallet sent",
    description:
      "The transaction is read from the chain: it must come from the operation's wallet and carry exactly the " +
      "prepared `to`, `data` and `value` (else 400). The operation is then followed to mined and indexed.",
    security: SESSION_SECURITY,
    middleware,
    request: {
      params: IdParams,
      body: { content: { "application/json": { schema: SubmittedBody } }, required: true },
    },
    responses: {
      200: json(Operation, "Submitted"),
      ...sessionErrors,
      ...notFoundError,
      ...errors({ 409: "Not a prepared external-wallet operation, or the hash is another operation's" }),
      ...commonErrors,
    },
  });

  const cancel = createRoute({
    method: "delete",
    path: "/console/operations/{id}",
    tags,
    summary: "Cancel a prepared operation (frees an alias it reserved)",
    security: SESSION_SECURITY,
    middleware,
    request: { params: IdParams },
    responses: {
      200: json(Operation, "Cancelled (status failed, error.code cancelled)"),
      ...sessionErrors,
      ...notFoundError,
      ...errors({ 409: "Already sent" }),
      ...commonErrors,
    },
  });

  const balances = createRoute({
    method: "get",
    path: "/console/balances",
    tags,
    summary: "DIMO and DCX balances of each of my wallets (read from the chain now)",
    security: SESSION_SECURITY,
    middleware,
    responses: { 200: json(Balances, "Per wallet"), ...sessionErrors, ...commonErrors },
  });

  const buyDcx = createRoute({
    method: "post",
    path: "/console/dcx/buy",
    tags,
    summary: "Buy DCX with DIMO for my managed wallet (approve if needed, then DCX.mintInDimo)",
    security: SESSION_SECURITY,
    middleware,
    request: { body: { content: { "application/json": { schema: BuyDcxBody } }, required: true } },
    responses: {
      202: json(OperationAnswer, "Submitted; wait for it with GET /console/operations/{id}?wait=indexed"),
      ...sessionErrors,
      ...errors({ 409: "Not enough DIMO (the message says how much is missing)" }),
      ...commonErrors,
    },
  });

  app.openapi(getOne, async (c) => {
    const { id } = c.req.valid("param");
    const { wait, timeout } = c.req.valid("query");
    const options = wait
      ? {
          status: wait,
          timeoutMs: (timeout ?? DEFAULT_WAIT_SECONDS) * 1000,
          signal: c.req.raw.signal,
          holder: c.var.session.id,
        }
      : undefined;
    return c.json(await needOps(s.operations).engine.get(c.var.account.id, id, options), 200);
  });

  app.openapi(list, async (c) =>
    c.json(
      { items: await needOps(s.operations).engine.list(c.var.account.id, c.req.valid("query").limit ?? 20) },
      200,
    ),
  );

  app.openapi(events, async (c) => {
    const engine = needOps(s.operations).engine;
    const accountId = c.var.account.id;
    const { id } = c.req.valid("param");
    await engine.get(accountId, id); // 404 before the stream starts
    // 429 before the stream starts too, when this session already holds its waiting places.
    const release = engine.waiters.take(c.var.session.id);
    return streamSSE(c, async (stream) => {
      try {
        const stop = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(SSE_MAX_MS)]);
        stream.onAbort(() => undefined);
        for await (const op of engine.changes(accountId, id, stop)) {
          await stream.writeSSE({
            event: "operation",
            id: `${op.id}:${op.status}`,
            data: JSON.stringify(op),
          });
        }
      } finally {
        release();
      }
    }) as never;
  });

  app.openapi(submitted, async (c) =>
    c.json(
      await needOps(s.operations).engine.reportSubmitted(
        c.var.account.id,
        c.req.valid("param").id,
        c.req.valid("json").txHash,
      ),
      200,
    ),
  );

  app.openapi(cancel, async (c) =>
    c.json(await needOps(s.operations).engine.cancel(c.var.account.id, c.req.valid("param").id), 200),
  );

  app.openapi(balances, async (c) =>
    c.json({ items: await needOps(s.operations).dcx.balances(c.var.account.id) }, 200),
  );

  app.openapi(buyDcx, async (c) => {
    const operation = await needOps(s.operations).dcx.buy(c.var.account.id, c.req.valid("json"));
    return c.json({ operation, warnings: [] }, 202);
  });
}
