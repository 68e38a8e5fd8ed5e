import { type Abi, type AbiEvent, type AbiFunction, toEventSelector, toFunctionSignature } from "viem";
import { describe, expect, it } from "vitest";
import { devLicenseAbi } from "../../abis/devLicense";
import { dimoCreditAbi } from "../../abis/dimoCredit";
import { erc20Abi } from "../../abis/erc20";
import { sacdAbi } from "../../abis/sacd";
import { vehicleIdAbi } from "../../abis/vehicleId";
import * as artifacts from "./artifacts";
import { compileContracts, hashSources, readSources } from "./compile";

const sig = (e: AbiEvent) => `${e.name}(${e.inputs.map((i) => i.type).join(",")})`;
const layout = (e: AbiEvent) => e.inputs.map((i) => `${i.type}${i.indexed ? " indexed" : ""}`).join(",");
const events = (abi: Abi) => abi.filter((i): i is AbiEvent => i.type === "event");
const functions = (abi: Abi) => abi.filter((i): i is AbiFunction => i.type === "function");

/** Our contract, the project ABI it must satisfy, and the events of that ABI it must be able to emit. */
const CASES = [
  {
    name: "DevLicenseDimo",
    ours: artifacts.DevLicenseDimoArtifact.abi as Abi,
    project: devLicenseAbi as Abi,
    mustEmit: [
      "Issued",
      "LicenseAliasSet",
      "Locked",
      "Transfer",
      "SignerEnabled",
      "SignerDisabled",
      "RedirectUriEnabled",
      "RedirectUriDisabled",
      "UpdateLicenseCost",
      "UpdatePeriodValidity",
      "RoleGranted",
    ],
  },
  {
    name: "Sacd",
    ours: artifacts.SacdArtifact.abi as Abi,
    project: sacdAbi as Abi,
    mustEmit: ["PermissionsSet", "PermissionsRenounced", "RoleGranted"],
  },
  {
    name: "VehicleId",
    ours: artifacts.VehicleIdArtifact.abi as Abi,
    project: vehicleIdAbi as Abi,
    mustEmit: [
      "Transfer",
      "PrivilegeSet",
      "PrivilegeCreated",
      "PrivilegeEnabled",
      "PrivilegeDisabled",
      "RoleGranted",
    ],
  },
  {
    name: "DimoCredit",
    ours: artifacts.DimoCreditArtifact.abi as Abi,
    project: dimoCreditAbi as Abi,
    mustEmit: ["Transfer"],
  },
  {
    name: "DimoToken",
    ours: artifacts.DimoTokenArtifact.abi as Abi,
    project: erc20Abi as Abi,
    mustEmit: ["Transfer", "Approval"],
  },
];

describe("compiled artifacts", () => {
  it("are up to date with devnet/contracts/*.sol (run `npm run compile:contracts`)", () => {
    expect(artifacts.SOURCES_HASH, "artifacts.ts is stale: run `npm run compile:contracts`").toBe(
      hashSources(readSources()),
    );
  });

  it("match a fresh in-memory compile byte for byte", () => {
    const out = compileContracts();
    const ours = Object.fromEntries(
      Object.entries(artifacts)
        .filter(([k]) => k.endsWith("Artifact"))
        .map(([k, v]) => [k.slice(0, -"Artifact".length), v as { abi: unknown; bytecode: string }]),
    );
    expect(Object.keys(ours).sort()).toEqual(Object.keys(out.contracts).sort());
    for (const [name, c] of Object.entries(out.contracts)) {
      expect(ours[name]!.bytecode, name).toBe(c.bytecode);
      expect(ours[name]!.abi, name).toEqual(c.abi);
    }
    expect(out.warnings).toEqual([]);
  }, 20_000);
});

describe.each(CASES)("$name matches the project ABI", ({ ours, project, mustEmit }) => {
  it("declares every project event it must emit with the identical signature and indexed flags", () => {
    const mine = new Map(events(ours).map((e) => [toEventSelector(e), e]));
    for (const name of mustEmit)
      expect(
        events(project).some((e) => e.name === name),
        name,
      ).toBe(true);
    for (const e of events(project).filter((e) => mustEmit.includes(e.name))) {
      const match = mine.get(toEventSelector(e));
      expect(match, `missing event ${sig(e)}`).toBeDefined();
      expect(layout(match!), sig(e)).toBe(layout(e));
    }
  });

  it("declares no event whose signature matches a project event with different indexed flags", () => {
    const theirs = new Map(events(project).map((e) => [toEventSelector(e), e]));
    for (const e of events(ours)) {
      const match = theirs.get(toEventSelector(e));
      if (match) expect(layout(e), sig(e)).toBe(layout(match));
    }
  });

  it("exposes every project function with the same signature and output types", () => {
    const mine = new Map(functions(ours).map((f) => [toFunctionSignature(f), f]));
    for (const f of functions(project)) {
      const match = mine.get(toFunctionSignature(f));
      expect(match, `missing function ${toFunctionSignature(f)}`).toBeDefined();
      expect(
        match!.outputs.map((o) => o.type),
        toFunctionSignature(f),
      ).toEqual(f.outputs.map((o) => o.type));
      expect(["view", "pure"].includes(match!.stateMutability), toFunctionSignature(f)).toBe(
        ["view", "pure"].includes(f.stateMutability),
      );
    }
  });
});

describe("DevLicenseDimo errors", () => {
  it("uses the project ABI's error selectors", () => {
    const key = (e: { name: string; inputs: readonly { type: string }[] }) =>
      `${e.name}(${e.inputs.map((i) => i.type).join(",")})`;
    const mine = new Set(
      (artifacts.DevLicenseDimoArtifact.abi as Abi).filter((i) => i.type === "error").map((e) => key(e)),
    );
    for (const name of [
      "AliasAlreadyInUse",
      "AliasExceedsMaxLength",
      "InvalidOperation",
      "InvalidSender",
      "NonexistentToken",
      "AccessControlUnauthorizedAccount",
    ]) {
      const theirs = (devLicenseAbi as Abi).find((i) => i.type === "error" && i.name === name)!;
      expect(mine.has(key(theirs as never)), name).toBe(true);
    }
  });
});
