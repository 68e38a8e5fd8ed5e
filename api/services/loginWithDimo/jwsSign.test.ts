import { exportJWK, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { jwsSigner } from "./jwsSign";

describe("jwsSigner", () => {
  it.each(["ES256", "RS256"] as const)(
    "%s tokens verify with jose and carry kid, alg and typ",
    async (alg) => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const sign = jwsSigner(await exportJWK(privateKey), alg, "kid-1");
      const token = sign({ sub: "0xabc", aud: "client", exp: 4_000_000_000 });
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, { algorithms: [alg] });
      expect(protectedHeader).toEqual({ alg, kid: "kid-1", typ: "JWT" });
      expect(payload).toEqual({ sub: "0xabc", aud: "client", exp: 4_000_000_000 });
    },
  );
});
