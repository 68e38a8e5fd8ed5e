import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, http, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devLicenseAbi } from "../abis/devLicense";
import { type AnvilInstance, startAnvil } from "./anvil";
import { DimoCreditArtifact, VehicleIdArtifact } from "./contracts/artifacts";
import {
  BURNER_ROLE,
  type Deployment,
  deployDimo,
  LICENSE_ADMIN_ROLE,
  LOCAL_ADDRESSES,
  LOCAL_DEPLOYER,
  localClientId,
  REVOKER_ROLE,
} from "./deploy";
import { createChain, DEV_ACCOUNTS } from "./scenario";

// Pinned: the indexer's local config and other tests may hard-code these.
const EXPECTED = {
  dimoToken: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  dimoCredit: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  devLicense: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  vehicleId: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  sacd: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
  otherNft: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
} as const;

describe("deployDimo on a fresh anvil", () => {
  let anvil: AnvilInstance;
  let deployment: Deployment;
  let client: PublicClient;

  beforeAll(async () => {
    anvil = await startAnvil();
    deployment = await deployDimo(anvil.rpcUrl);
    client = createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0 }) as PublicClient;
  }, 30_000);
  afterAll(() => anvil?.stop());

  it("lands at the pinned deterministic addresses", () => {
    expect(LOCAL_ADDRESSES).toEqual(EXPECTED);
    expect(LOCAL_DEPLOYER).toBe(DEV_ACCOUNTS[0]!.address);
    expect(deployment).toEqual({
      chainId: 31337,
      deployer: LOCAL_DEPLOYER,
      ...EXPECTED,
      startBlock: 1,
      blockNumber: 8, // 6 deployments + 2 wiring transactions, one block each (automine)
    });
  });

  it("has code everywhere and is wired", async () => {
    for (const address of Object.values(EXPECTED)) {
      expect((await client.getCode({ address }))?.length ?? 0).toBeGreaterThan(2);
    }
    const has = (address: `0x${string}`, role: `0x${string}`, account: `0x${string}`) =>
      client.readContract({
        address,
        abi: DimoCreditArtifact.abi,
        functionName: "hasRole",
        args: [role, account],
      });
    expect(await has(EXPECTED.dimoCredit, BURNER_ROLE, EXPECTED.devLicense)).toBe(true);
    expect(await has(EXPECTED.devLicense, LICENSE_ADMIN_ROLE, LOCAL_DEPLOYER)).toBe(true);
    expect(await has(EXPECTED.devLicense, REVOKER_ROLE, LOCAL_DEPLOYER)).toBe(true);
    expect(
      await client.readContract({
        address: EXPECTED.vehicleId,
        abi: VehicleIdArtifact.abi,
        functionName: "sacd",
      }),
    ).toBe(EXPECTED.sacd);
    const read = <F extends "dimoToken" | "dimoCredit" | "periodValidity" | "licenseCostInUsd1e18">(fn: F) =>
      client.readContract({ address: EXPECTED.devLicense, abi: devLicenseAbi, functionName: fn });
    expect(await read("dimoToken")).toBe(EXPECTED.dimoToken);
    expect(await read("dimoCredit")).toBe(EXPECTED.dimoCredit);
    expect(await read("periodValidity")).toBe(365n * 24n * 3600n);
    expect(await read("licenseCostInUsd1e18")).toBe(0n);
  });

  it("emits UpdatePeriodValidity(365 days) and UpdateLicenseCost(0) from the DevLicense constructor", async () => {
    const logs = await client.getContractEvents({
      address: EXPECTED.devLicense,
      abi: devLicenseAbi,
      fromBlock: 0n,
      toBlock: BigInt(deployment.blockNumber),
    });
    expect(logs.map((l) => l.eventName)).toEqual([
      "RoleGranted",
      "UpdatePeriodValidity",
      "UpdateLicenseCost",
      "RoleGranted",
      "RoleGranted",
    ]);
    expect(logs[1]!.args).toEqual({ periodValidity: 31_536_000n });
    expect(logs[2]!.args).toEqual({ licenseCost: 0n });
    expect(logs.every((l) => l.blockNumber === 3n)).toBe(true);
  });

  it("creates clientIds at CREATE(devLicense, tokenId)", async () => {
    const chain = createChain(anvil.rpcUrl, deployment);
    const first = await chain.issue(DEV_ACCOUNTS[1]!.address);
    const second = await chain.issue(DEV_ACCOUNTS[2]!.address);
    expect([first.tokenId, second.tokenId]).toEqual([1n, 2n]);
    expect(first.clientId).toBe(localClientId(1n));
    expect(second.clientId).toBe(localClientId(2));
  });

  it("refuses a chain that is not fresh", async () => {
    await expect(deployDimo(anvil.rpcUrl)).rejects.toThrow(/fresh chain/);
  });
});

describe("startAnvil", () => {
  it("honours chainId and statePath: a devnet survives a restart, history included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anvil-state-"));
    const statePath = join(dir, "state.json");
    try {
      const first = await startAnvil({ chainId: 1337, statePath });
      let deployment: Deployment;
      try {
        deployment = await deployDimo(first.rpcUrl);
        expect(deployment.chainId).toBe(1337);
        expect(deployment.devLicense).toBe(EXPECTED.devLicense); // chain id does not change CREATE addresses
        await createChain(first.rpcUrl, deployment).issue(DEV_ACCOUNTS[3]!.address, { alias: "persisted" });
      } finally {
        await first.stop();
      }
      const second = await startAnvil({ chainId: 1337, statePath });
      try {
        const client = createPublicClient({ transport: http(second.rpcUrl), cacheTime: 0 });
        expect(await client.getChainId()).toBe(1337);
        expect(await client.getBlockNumber()).toBe(9n);
        const issued = await client.getContractEvents({
          address: EXPECTED.devLicense,
          abi: devLicenseAbi,
          eventName: "Issued",
          fromBlock: 0n,
        });
        expect(issued).toHaveLength(1);
        const alias = (blockNumber: bigint) =>
          client.readContract({
            address: EXPECTED.devLicense,
            abi: devLicenseAbi,
            functionName: "getLicenseAliasByTokenId",
            args: [1n],
            blockNumber,
          });
        expect(await alias(9n)).toBe("persisted");
        // --preserve-historical-states: calls at old blocks still work after the restart.
        expect(await alias(8n)).toBe("");
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("picks a free port each time and stop() is idempotent", async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil({ blockTime: 1 })]);
    expect(a.port).not.toBe(b.port);
    expect(a.rpcUrl).toBe(`http://127.0.0.1:${a.port}`);
    await Promise.all([a.stop(), a.stop(), b.stop()]);
    await a.stop();
  });

  it("reports an early exit with anvil's stderr", async () => {
    await expect(startAnvil({ extraArgs: ["--no-such-flag"] })).rejects.toThrow(
      /anvil failed to start: exited early[\s\S]*stderr:[\s\S]*no-such-flag/,
    );
  });

  it("reports a missing binary clearly", async () => {
    const saved = process.env["ANVIL_BIN"];
    process.env["ANVIL_BIN"] = "/nonexistent/anvil";
    try {
      await expect(startAnvil()).rejects.toThrow(/anvil failed to start: spawn \/nonexistent\/anvil ENOENT/);
    } finally {
      if (saved === undefined) delete process.env["ANVIL_BIN"];
      else process.env["ANVIL_BIN"] = saved;
    }
  });
});
