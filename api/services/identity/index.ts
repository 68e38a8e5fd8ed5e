import DataLoader from "dataloader";
import {
  buildSchema,
  GraphQLError,
  type GraphQLFieldResolver,
  GraphQLScalarType,
  type GraphQLSchema,
  Kind,
  type ValidationRule,
} from "graphql";
import { checksumAddress } from "../../../domain/eip55";
import { NotFoundError } from "../../errors";
import type { LicenseFilters, LicenseService } from "../public/licenses";
import type { License, RedirectUri, Signer } from "../public/schemas";
import type { DatedPrivilegeGrant, DatedSacdGrant, VehicleService, VehicleSummary } from "../public/vehicles";
import {
  type ConnectionArgs,
  connection,
  idCursorOf,
  idWindow,
  inputError,
  type KeyedList,
  keyedConnection,
  secondsOf,
} from "./connections";
import { packCursor } from "./cursors";
import { QUERY_LIMITS, queryLimitsRule } from "./limits";
import { IDENTITY_SDL } from "./sdl";

// DIMO identity-api's GraphQL schema over this project's data (docs/identity-graphql.md): the
// resolvers read the same services as /v1 (api/services/public), so each answer has one source;
// per-request DataLoaders batch the per-vehicle and per-account lookups of a query into one
// statement each.

export type IdentityDeps = {
  licenses: LicenseService;
  vehicles: VehicleService;
  chainId: number;
  /** DevLicenseDimo and VehicleId contract addresses: the contracts in token DIDs. */
  devLicense: string;
  vehicleId: string;
};

type Grants = { sacds: DatedSacdGrant[]; privileges: DatedPrivilegeGrant[] };
export type IdentityContext = {
  vehicles: DataLoader<string, VehicleSummary | null>;
  grants: DataLoader<string, Grants>;
  accountGrants: DataLoader<string, DatedSacdGrant[]>;
};

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function parseAddress(value: unknown): string {
  if (typeof value !== "string" || !ADDRESS.test(value)) {
    throw new GraphQLError(`invalid address ${JSON.stringify(value)}: expected 0x and 40 hex digits`);
  }
  return value.toLowerCase();
}

/** gqlgen's Time: RFC 3339 in UTC, no fraction for whole seconds (as chain times are). */
const Time = new GraphQLScalarType({
  name: "Time",
  serialize: (value) => String(value).replace(/\.000Z$/, "Z"),
  parseValue: (value) => value,
});

const Address = new GraphQLScalarType({
  name: "Address",
  serialize: (value) => value,
  parseValue: parseAddress,
  parseLiteral: (node) => parseAddress(node.kind === Kind.STRING ? node.value : undefined),
});

const BigIntScalar = new GraphQLScalarType({
  name: "BigInt",
  serialize: (value) => String(value),
  parseValue: (value) => String(value),
});

/** did:erc721:<chainID>:<contractAddress>:<tokenId>, the contract checksummed (cloudevent's ERC721DID). */
export function tokenDid(chainId: number, contract: string, tokenId: number | string): string {
  return `did:erc721:${chainId}:${checksumAddress(contract)}:${tokenId}`;
}

function readDid(did: string, chainId: number, contract: string, what: string): number {
  const parts = did.split(":");
  if (parts.length !== 5 || parts[0] !== "did" || parts[1] !== "erc721") {
    throw inputError(`error decoding token did: invalid DID ${JSON.stringify(did)}`);
  }
  const [, , chain, address, id] = parts as [string, string, string, string, string];
  if (!/^\d+$/.test(chain) || !ADDRESS.test(address) || !/^\d+$/.test(id)) {
    throw inputError(`error decoding token did: invalid DID ${JSON.stringify(did)}`);
  }
  if (Number(chain) !== chainId) throw inputError(`unknown chain id ${chain} in token did`);
  if (address.toLowerCase() !== contract.toLowerCase()) {
    throw inputError(`invalid contract address '${checksumAddress(address)}' in token did`);
  }
  const tokenId = BigInt(id);
  if (tokenId > 2_147_483_647n) throw inputError(`token id is too large for a ${what}`);
  return Number(tokenId);
}

const notFound = (message: string) => new GraphQLError(message, { extensions: { code: "NOT_FOUND" } });

// The keyed lists, ordered and encoded as identity-api's cursors (connections.ts).
const signerList: KeyedList<Signer> = {
  key: (s) => [{ time: secondsOf(s.enabledAt) }, { bytes: s.address.toLowerCase() }],
  shape: ["time", "bytes"],
};
const redirectList: KeyedList<RedirectUri> = {
  key: (r) => [{ time: secondsOf(r.enabledAt) }, { str: r.uri }],
  shape: ["time", "str"],
};
const sacdList: KeyedList<DatedSacdGrant> = {
  key: (s) => [{ time: secondsOf(s.createdAt) }, { bytes: s.grantee.toLowerCase() }],
  shape: ["time", "bytes"],
};
const privilegeList: KeyedList<DatedPrivilegeGrant> = {
  key: (p) => [
    { time: secondsOf(p.setAt) },
    { int: BigInt(p.privilegeId) },
    { bytes: p.grantee.toLowerCase() },
  ],
  shape: ["time", "int", "bytes"],
};

type Args = ConnectionArgs & Record<string, unknown>;
type Resolver<P = unknown> = GraphQLFieldResolver<P, IdentityContext, Args>;

const STATUS: Record<string, LicenseFilters["status"]> = { ACTIVE: "active", REVOKED: "revoked" };

export function identityService(deps: IdentityDeps) {
  const { licenses, vehicles, chainId } = deps;

  const developerLicense: Resolver = async (_, args) => {
    const by = (args.by ?? {}) as { clientId?: string; alias?: string; tokenId?: number; tokenDID?: string };
    const given = [by.clientId, by.alias, by.tokenId, by.tokenDID].filter((v) => v != null);
    if (given.length !== 1) {
      throw inputError("must specify exactly one of `clientId`, `alias`, `tokenId`, or `tokenDID`");
    }
    try {
      if (by.clientId != null) return await licenses.byClientId(by.clientId);
      if (by.alias != null) return await licenses.byAlias(by.alias);
      const tokenId = by.tokenId ?? readDid(by.tokenDID!, chainId, deps.devLicense, "license");
      if (tokenId < 0) throw new NotFoundError("negative");
      return await licenses.byTokenId(String(tokenId));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // identity-api's messages (graph/developerlicense.resolvers.go).
      if (by.tokenId != null) throw notFound(`No developer license with token id ${by.tokenId}.`);
      if (by.clientId != null)
        throw notFound(`No developer license with client id ${checksumAddress(by.clientId)}.`);
      if (by.alias != null) throw notFound(`No developer license with alias ${JSON.stringify(by.alias)}.`);
      throw notFound(`No developer license with DID ${JSON.stringify(by.tokenDID)}.`);
    }
  };

  const developerLicenses: Resolver = async (_, args) => {
    const window = idWindow(args);
    const filterBy = (args.filterBy ?? {}) as { owner?: string; signer?: string; status?: string };
    const page = await licenses.window(
      {
        status: filterBy.status ? STATUS[filterBy.status]! : "all",
        owner: filterBy.owner ?? null,
        signer: filterBy.signer ?? null,
      },
      window,
    );
    return connection(page, idCursorOf, args, window.fromEnd);
  };

  const vehicle: Resolver = async (_, args, ctx) => {
    const tokenId = args["tokenId"] as number | null | undefined;
    const did = args["tokenDID"] as string | null | undefined;
    if ((tokenId == null) === (did == null))
      throw inputError("provide exactly one of `tokenID` or `tokenDID`");
    const id = tokenId ?? readDid(did!, chainId, deps.vehicleId, "vehicle");
    const found = id < 0 ? null : await ctx.vehicles.load(String(id));
    if (!found) {
      throw notFound(
        tokenId != null
          ? `No vehicle with token id ${tokenId}.`
          : `No vehicle with DID ${JSON.stringify(did)}.`,
      );
    }
    return found;
  };

  const vehiclesList: Resolver = async (_, args) => {
    const window = idWindow(args);
    const filterBy = (args.filterBy ?? {}) as { owner?: string; privileged?: string };
    const page = await vehicles.window(
      { owner: filterBy.owner ?? null, privileged: filterBy.privileged ?? null },
      window,
    );
    return connection(page, idCursorOf, args, window.fromEnd);
  };

  const account: Resolver = (_, args) => {
    const by = (args["by"] ?? {}) as { address?: string };
    if (by.address == null) throw inputError("must provide an address");
    return { address: checksumAddress(by.address) };
  };

  const resolvers = {
    Time,
    Address,
    BigInt: BigIntScalar,
    Query: { developerLicense, developerLicenses, vehicle, vehicles: vehiclesList, account },
    DeveloperLicense: {
      tokenDID: (l: License) => tokenDid(chainId, deps.devLicense, l.tokenId),
      status: (l: License) => l.status.toUpperCase(),
      signers: (l: License, args: ConnectionArgs) => keyedConnection(l.signers, signerList, args),
      redirectURIs: (l: License, args: ConnectionArgs) => keyedConnection(l.redirectUris, redirectList, args),
    },
    Vehicle: {
      id: (v: VehicleSummary) => `V_${packCursor([{ int: BigInt(v.vehicleId) }])}`,
      tokenId: (v: VehicleSummary) => v.vehicleId,
      tokenDID: (v: VehicleSummary) => tokenDid(chainId, deps.vehicleId, v.vehicleId),
      mintedAt: (v: VehicleSummary) => v.mintedAt ?? new Date(0).toISOString(),
      definition: () => ({ id: null, make: null, model: null, year: null }),
      privileges: async (v: VehicleSummary, args: Args, ctx: IdentityContext) => {
        const filterBy = (args["filterBy"] ?? {}) as { user?: string; privilegeId?: number };
        const all = (await ctx.grants.load(String(v.vehicleId))).privileges.filter(
          (p) =>
            (filterBy.user == null || p.grantee.toLowerCase() === filterBy.user) &&
            (filterBy.privilegeId == null || p.privilegeId === filterBy.privilegeId),
        );
        return keyedConnection(all, privilegeList, args, { defaultFirst: 20 });
      },
      sacds: async (v: VehicleSummary, args: ConnectionArgs, ctx: IdentityContext) =>
        keyedConnection((await ctx.grants.load(String(v.vehicleId))).sacds, sacdList, args, {
          bareWhenEmpty: true,
        }),
      sacd: async (v: VehicleSummary, args: Args, ctx: IdentityContext) => {
        const grantee = args["grantee"] as string;
        const { sacds } = await ctx.grants.load(String(v.vehicleId));
        return sacds.find((s) => s.grantee.toLowerCase() === grantee) ?? null;
      },
    },
    Privilege: {
      id: (p: DatedPrivilegeGrant) => p.privilegeId,
      user: (p: DatedPrivilegeGrant) => p.grantee,
    },
    Sacd: {
      source: (s: DatedSacdGrant) => s.source ?? "",
      template: () => null,
    },
    Account: {
      sacds: async (a: { address: string }, args: ConnectionArgs, ctx: IdentityContext) =>
        keyedConnection(await ctx.accountGrants.load(a.address.toLowerCase()), sacdList, args, {
          bareWhenEmpty: true,
        }),
    },
  };

  const schema: GraphQLSchema = buildSchema(IDENTITY_SDL);
  attachResolvers(schema, resolvers);

  return {
    schema,
    /** The schema as SDL text (the download at /docs/identity.graphql). */
    sdl: IDENTITY_SDL.trimStart(),
    /** Validation rules beyond GraphQL's own: the depth and cost limits. */
    rules: [queryLimitsRule(QUERY_LIMITS)] as ValidationRule[],
    /** A request's context: fresh loaders, so batching and caching never outlive one query. */
    context(): IdentityContext {
      return {
        vehicles: new DataLoader(async (ids) => {
          const found = await vehicles.summaries(ids);
          return ids.map((id) => found.get(id) ?? null);
        }),
        grants: new DataLoader(async (ids) => {
          const found = await vehicles.datedGrants(ids);
          return ids.map((id) => found.get(id)!);
        }),
        accountGrants: new DataLoader(async (grantors) => {
          const found = await vehicles.accountGrants(grantors);
          return grantors.map((g) => found.get(g) ?? []);
        }),
      };
    },
  };
}

export type IdentityGraphql = ReturnType<typeof identityService>;

/** Puts resolvers and scalar implementations on a schema built from SDL. */
function attachResolvers(schema: GraphQLSchema, resolvers: Record<string, unknown>) {
  for (const [typeName, impl] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`No type ${typeName} in the schema`);
    if (impl instanceof GraphQLScalarType) {
      if (!(type instanceof GraphQLScalarType)) throw new Error(`${typeName} is not a scalar`);
      type.serialize = impl.serialize;
      type.parseValue = impl.parseValue;
      type.parseLiteral = impl.parseLiteral;
      continue;
    }
    if (!("getFields" in type)) throw new Error(`${typeName} has no fields`);
    const fields = type.getFields() as Record<string, { resolve?: unknown }>;
    for (const [fieldName, resolve] of Object.entries(impl as Record<string, unknown>)) {
      const field = fields[fieldName];
      if (!field) throw new Error(`No field ${typeName}.${fieldName} in the schema`);
      field.resolve = resolve;
    }
  }
}
