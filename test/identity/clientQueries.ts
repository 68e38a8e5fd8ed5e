import type { App } from "../../api/app";

// The GraphQL documents DIMO's own clients send to identity-api, copied verbatim:
//   - DIMO-Network/dimo-developer-console, src/gql/gql.ts (the codegen's document map; Apollo sends
//     each operation with the fragments it spreads appended);
//   - DIMO-Network/data-sdk, src/graphql/resources/Identity/index.ts (PAGE_SIZE = 100 from
//     src/constants.ts) and the request src/graphql/Query.ts builds from them.

const FRAGMENTS: Record<string, string> = {
  DeveloperJwtsFragment:
    "\n  fragment DeveloperJwtsFragment on DeveloperLicense {\n    owner\n    clientId\n    redirectURIs(first:100) {\n      nodes {\n        uri\n      }\n    }\n  }\n",
  DeveloperLicenseSummariesOnConnection:
    "\n  fragment DeveloperLicenseSummariesOnConnection on DeveloperLicenseConnection {\n    nodes {\n      ...DeveloperLicenseSummaryFragment\n    }\n  }\n",
  DeveloperLicenseSummaryFragment:
    "\n  fragment DeveloperLicenseSummaryFragment on DeveloperLicense {\n    alias\n    tokenId\n    clientId\n    owner\n  }\n",
  DeveloperLicenseVehiclesFragment:
    "\n  fragment DeveloperLicenseVehiclesFragment on DeveloperLicense {\n    clientId\n  }\n",
  RedirectUriFragment:
    "\n  fragment RedirectUriFragment on DeveloperLicense {\n    owner\n    tokenId\n    redirectURIs(first:100) {\n      nodes {\n        uri\n      }\n    }\n  }\n",
  SignerFragment:
    "\n  fragment SignerFragment on DeveloperLicense {\n    owner\n    tokenId\n    signers(first:100) {\n      nodes {\n        address\n        enabledAt\n      }\n    }\n  }\n",
  TotalDeveloperLicenseCountFragment:
    "\n  fragment TotalDeveloperLicenseCountFragment on DeveloperLicenseConnection {\n    totalCount\n  }\n",
};

/** An operation with every fragment it spreads (transitively), as the console's client sends it. */
function withFragments(operation: string): string {
  const used = new Set<string>();
  const visit = (text: string) => {
    for (const [, name] of text.matchAll(/\.\.\.(\w+)/g)) {
      if (!name || used.has(name)) continue;
      used.add(name);
      visit(FRAGMENTS[name]!);
    }
  };
  visit(operation);
  return operation + [...used].map((n) => FRAGMENTS[n]).join("");
}

export const CONSOLE = {
  GetDeveloperLicensesByOwner: withFragments(
    "\n  query GetDeveloperLicensesByOwner($owner: Address!) {\n    developerLicenses(first: 100, filterBy: { owner: $owner }) {\n      ...TotalDeveloperLicenseCountFragment\n      ...DeveloperLicenseSummariesOnConnection      \n    }\n  }\n",
  ),
  GetVehicleCountByClientId:
    "\n  query GetVehicleCountByClientId($clientId:Address!) {\n    vehicles(first:0, filterBy:{privileged:$clientId}) {\n      totalCount\n    }\n  }\n",
  GetDeveloperLicense: withFragments(
    "\n  query GetDeveloperLicense($tokenId: Int!) {\n    developerLicense(by: {tokenId: $tokenId}) {\n      ...DeveloperLicenseSummaryFragment   \n      ...SignerFragment\n      ...RedirectUriFragment\n      ...DeveloperLicenseVehiclesFragment\n      ...DeveloperJwtsFragment\n    }\n  }\n",
  ),
  GetVehiclesByClientId:
    "\n  query GetVehiclesByClientId($clientId: Address!, $first: Int, $last: Int, $before: String, $after: String) {\n    vehicles(filterBy:{ privileged: $clientId }, first: $first, last: $last, before:$before, after:$after) {\n      totalCount\n      pageInfo {\n        startCursor\n        endCursor\n        hasNextPage\n        hasPreviousPage\n      }\n      nodes {\n        tokenId\n        definition {\n          make\n          model\n          year\n        }\n      }  \n    }\n  }\n",
  DeveloperLicenseVehiclesQuery:
    "\n  query DeveloperLicenseVehiclesQuery($clientId: Address!) {\n    vehicles(first: 0, filterBy: { privileged: $clientId }) {\n      totalCount\n    }\n  }\n",
  DeveloperLicenseByClientIdSummary:
    "\n  query DeveloperLicenseByClientIdSummary($clientId: Address!) {\n    developerLicense(by: {clientId: $clientId}) {\n      tokenId\n      alias\n      clientId\n    }\n  }\n",
  GetDeveloperLicensesForWebhooks:
    "\n  query GetDeveloperLicensesForWebhooks($owner: Address!) {\n    developerLicenses(first: 100, filterBy: { owner: $owner }) {\n      nodes {\n        alias\n        clientId\n        redirectURIs(first:100) {\n          nodes {\n            uri\n          }\n        }\n      }\n    }\n  }\n",
};

/** data-sdk's Identity resources: `query` with `$name` placeholders its Query() substitutes. */
export const DATA_SDK = {
  listSacdPerVehicleTokenId: {
    params: { tokenId: true, after: true },
    query: `
            { 
              vehicle(tokenId: $tokenId) {
                sacds(first: 100, after: $after) {
                  nodes {
                    permissions
                    grantee
                  }
                  totalCount
                  pageInfo {
                    startCursor
                    endCursor
                  }
                }
              }
            }
            `,
  },
  countDimoVehicles: {
    query: `
            { 
              vehicles (first: 100) {
                  totalCount,
              }
            }
            `,
  },
  listVehicleDefinitionsPerAddress: {
    params: { address: true, limit: true },
    query: `
            {
              vehicles(filterBy: {owner: $address}, first: $limit) {
                nodes {
                  aftermarketDevice {
                      tokenId
                      address
                  }
                    syntheticDevice {
                      address
                      tokenId
                  }
                  definition {
                    make
                    model
                    year
                  }
                }
              }
            }
          `,
  },
};

type SdkResource = { query: string; params?: Record<string, boolean> };

/**
 * The request data-sdk's Query() (a resource) or CustomQuery() (`identity.query({query})`) sends:
 * parameters substituted into the text (strings quoted, absent ones `null`), POSTed as `{query}`
 * with its headers. The SDK itself cannot be installed from this registry (its `fs` dependency
 * has no version there), so its request is rebuilt here from its source.
 */
export async function sdkQuery(
  app: App,
  resource: SdkResource | { query: string },
  params: Record<string, unknown> = {},
): Promise<{ status: number; body: unknown }> {
  let query = resource.query;
  for (const key of Object.keys("params" in resource ? (resource.params ?? {}) : {})) {
    const placeholder = new RegExp(`\\$${key}\\b`, "g");
    const value = params[key];
    query = query.replace(
      placeholder,
      value === undefined || value === null
        ? "null"
        : typeof value === "string"
          ? `"${value}"`
          : String(value),
    );
  }
  const res = await app.request("/query", {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "dimo-node-sdk" },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: await res.json() };
}
