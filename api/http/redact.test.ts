import pino from "pino";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { redactingLogger } from "./redact";

describe("API private keys in logs", () => {
  it("are censored wherever a generated-key answer is nested", () => {
    const lines: string[] = [];
    const logger = redactingLogger(pino({ level: "debug" }, { write: (l: string) => void lines.push(l) }));
    const privateKey = generatePrivateKey();
    const answer = { operation: { id: "op" }, apiKey: { address: "0xabc", privateKey } };
    logger.info(answer, "answer");
    logger.info({ res: { body: answer } }, "nested");
    logger.info({ privateKey }, "bare");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.toLowerCase()).not.toContain(privateKey.slice(2).toLowerCase());
    expect(lines[0]).toContain("[redacted]");
  });
});
