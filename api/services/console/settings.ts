import path from "node:path";
import type { Config } from "../../../config/env";
import { MAILBOX_DIR, type Mailer } from "./mailer";
import type { ConsoleSettings } from "./schemas";
import { PROVIDER_NAMES } from "./signIn/providers";

/** Public facts only: configured sign-in methods, network and contract addresses (no secret, no URL of a provider). */
export function consoleSettings(config: Config, mailer: Mailer | null): ConsoleSettings {
  const { chain, signIn } = config;
  const mailbox = path.resolve(config.dataDir, MAILBOX_DIR);
  // Relative to where `npm start` ran when inside it; else named by its variable, so a public
  // answer never spells out a server path.
  const relative = path.relative(process.cwd(), mailbox);
  const shown =
    relative && !relative.startsWith("..") && !path.isAbsolute(relative)
      ? relative
      : `$DATA_DIR/${MAILBOX_DIR}`;
  return {
    network: chain.network,
    chainId: chain.chainId,
    contracts: {
      devLicense: chain.devLicense,
      vehicleId: chain.vehicleId,
      sacd: chain.sacd,
      dimoToken: chain.dimoToken,
      dimoCredit: chain.dimoCredit,
    },
    signIn: {
      // `off`: no SMTP outside a local deployment, so email sign-in answers 503.
      email:
        mailer === null
          ? { delivery: "off", devMailbox: null }
          : mailer.kind === "mailbox"
            ? { delivery: "devMailbox", devMailbox: `${shown}${path.sep}` }
            : { delivery: "smtp", devMailbox: null },
      providers: PROVIDER_NAMES.filter((name) => signIn[name] !== null && signIn[name] !== undefined),
      passkeys: true,
    },
    devnetFunding: config.operations.devnetFunding,
  };
}
