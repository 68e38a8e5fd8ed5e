import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp } from "../../http/types";
import type { ConsoleServices } from "../../services/index";
import { json } from "./schemas";

const Address = z.string().openapi({ example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });

export const Settings = z
  .object({
    network: z.enum(["local", "polygon", "amoy", "custom"]),
    chainId: z.number().int(),
    contracts: z.object({
      devLicense: Address,
      vehicleId: Address.openapi({ description: "The vehicle NFT: token exchange assets name it" }),
      sacd: Address,
      dimoToken: Address.nullable(),
      dimoCredit: Address.nullable(),
    }),
    signIn: z.object({
      email: z.object({
        delivery: z.enum(["smtp", "devMailbox"]),
        devMailbox: z.string().nullable().openapi({
          description:
            "Without SMTP_URL (development): the folder of the API's machine where sign-in mails are written",
          example: ".data/mailbox/",
        }),
      }),
      providers: z
        .array(z.enum(["google", "apple", "github"]))
        .openapi({ description: "Configured providers: start them at /console/auth/{provider}/start" }),
      passkeys: z.literal(true),
    }),
    devnetFunding: z
      .boolean()
      .openapi({ description: "Managed wallets get devnet ETH and DIMO before their first write" }),
  })
  .openapi("ConsoleSettings");

/** GET /console/settings: what a sign-in page shows before anyone is signed in. */
export function registerSettingsRoutes(app: ApiApp, s: ConsoleServices) {
  const settings = createRoute({
    method: "get",
    path: "/console/settings",
    tags: ["Console accounts"],
    summary: "Sign-in methods on offer (email delivery, providers, passkeys), network and contract addresses",
    responses: { 200: json(Settings, "Public facts about this console; no session needed") },
  });
  app.openapi(settings, (c) => c.json(s.settings, 200));
}
