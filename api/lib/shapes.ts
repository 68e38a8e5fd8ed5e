import { z } from "@hono/zod-openapi";

// Building blocks of the API's JSON shapes, defined once. The answer schemas built from them live
// beside the services that produce the answers (their TypeScript types are inferred from them),
// and /openapi.json documents the same objects.

/** A 20-byte hex address in any letter case (what requests may send). */
export const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** A 20-byte address as answers show it. */
export const Address = z.string().openapi({
  description: "EIP-55 checksummed address",
  example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
});

/** A time the API itself recorded (a sign-in, an operation's progress). */
export const Time = z.string().openapi({ description: "ISO-8601 UTC", example: "2025-01-01T00:00:00.000Z" });

/** A time read from the chain (block times, expiries): any uint256, so it is clamped to what ISO-8601 shows. */
export const ChainTime = z.string().openapi({
  description: "ISO-8601 UTC; times past year 9999 show as 9999-12-31T23:59:59.000Z",
  example: "2025-01-01T00:00:00.000Z",
});

export const TxHash = z.string().openapi({ description: "lowercase hex", example: `0x${"ab".repeat(32)}` });

export type Page<T> = { items: T[]; nextCursor: string | null };

/** A keyset page of `item`, registered in /openapi.json as `name`. */
export const page = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next page; null on the last." }),
    })
    .openapi(name) satisfies z.ZodType<Page<z.output<T>>>;
