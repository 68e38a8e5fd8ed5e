import { z } from "@hono/zod-openapi";
import { ADDRESS_RE } from "../lib/shapes";

// Request parameters several routes share (docs/public-api.md): the same definitions validate the
// request, type the handler and document the parameter in /openapi.json.

const POSITIVE_INT_RE = /^[1-9][0-9]{0,15}$/;

/** A decimal positive integer within JSON's exact range; kept as text for the numeric(78) columns. */
export const idParam = (name: string, description: string) =>
  z
    .string()
    .refine(
      (v) => POSITIVE_INT_RE.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER,
      `${name} must be a positive decimal integer no greater than 2^53-1`,
    )
    .openapi({ param: { name, in: "path" }, description, example: "1", pattern: POSITIVE_INT_RE.source });

/** A 20-byte address in any letter case; normalized to the lowercase the indexer stores. */
export const addressSchema = (name: string, where: "path" | "query", description: string) =>
  z
    .string()
    .refine((v) => ADDRESS_RE.test(v), `${name} must be a 20-byte hex address (0x + 40 hex digits)`)
    .transform((v) => v.toLowerCase())
    .openapi({
      param: { name, in: where },
      description,
      example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      pattern: ADDRESS_RE.source,
    });

export const limitQuery = z
  .string()
  .refine(
    (v) => /^[0-9]{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 100,
    "limit must be an integer from 1 to 100",
  )
  .transform(Number)
  .optional()
  .openapi({
    param: { name: "limit", in: "query" },
    description: "Page size, 1..100 (default 20).",
    example: "20",
  });

const cursorQuery = z
  .string()
  .optional()
  .openapi({
    param: { name: "cursor", in: "query" },
    description: "The `nextCursor` of the previous page, as given (opaque).",
  });

export const PageQuery = z.object({ limit: limitQuery, cursor: cursorQuery });
