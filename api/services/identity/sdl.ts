// The schema of POST /query: the part of DIMO identity-api's schema (graph/schema/*.graphqls) that
// this project indexes, with its names, types, nullability and descriptions, so a client written
// for identity-api only changes its base URL. Fields marked "Addition" are not in identity-api:
// they say what identity-api gets wrong about the chain without changing what its fields mean
// (docs/identity-graphql.md lists them). Served as text at /docs/identity.graphql.

export const IDENTITY_SDL = /* GraphQL */ `
"""
A point in time, encoded per RFC-3339. Typically these will be in second precision,
just like the blockchain, and in UTC.
"""
scalar Time

"""
A 20-byte Ethereum address, encoded as a checksummed hex string with 0x prefix.
"""
scalar Address

"""
An integer of arbitrary precision, decimal-encoded. Typically a uint256.
"""
scalar BigInt

"""
The root query type for the GraphQL schema.
"""
type Query {
  """
  List developer licenses. Sorts by token id, descending.
  """
  developerLicenses(
    first: Int
    after: String
    last: Int
    before: String
    filterBy: DeveloperLicenseFilterBy
  ): DeveloperLicenseConnection!

  """
  Retrieve a particular developer license.
  """
  developerLicense(by: DeveloperLicenseBy!): DeveloperLicense

  """
  View a particular vehicle.
  """
  vehicle(
    """
    The token ID of the vehicle.
    """
    tokenId: Int
    """
    The DID of the vehicle.
    """
    tokenDID: String
  ): Vehicle

  """
  List minted vehicles.

  For now, these are always ordered by token ID in descending order.
  """
  vehicles(
    """
    The number of vehicles to retrieve.
    Mutually exclusive with \`last\`.
    """
    first: Int
    """
    A cursor for pagination. Retrieve vehicles after this cursor.
    """
    after: String
    """
    The number of vehicles to retrieve from the end of the list.
    Mutually exclusive with \`first\`.
    """
    last: Int
    """
    A cursor for pagination. Retrieve vehicles before this cursor.
    """
    before: String
    """
    Filter the vehicles based on specific criteria.
    """
    filterBy: VehiclesFilter
  ): VehicleConnection!

  """
  Retrieves information about an account. Right now, this is mainly to show
  SACDs for user information.
  """
  account(by: AccountBy!): Account
}

type PageInfo {
  startCursor: String
  endCursor: String
  hasPreviousPage: Boolean!
  hasNextPage: Boolean!
}

"""
Addition: whether a license is still valid. Revoking burns the license token; identity-api keeps
listing a revoked license as if nothing happened.
"""
enum DeveloperLicenseStatus {
  ACTIVE
  REVOKED
}

type DeveloperLicense {
  """
  The token id of the license as an NFT.
  """
  tokenId: Int!
  """
  The DID for this license's token ID in the format did:erc721:<chainID>:<contractAddress>:<tokenId>
  """
  tokenDID: String!
  """
  The owner of the license. A single owner can own multiple licenses.
  """
  owner: Address!
  """
  Serves as the client id for OAuth as well as the address of the associated contract.
  """
  clientId: Address!
  """
  A human-readable alias for this license. Unique among all licenses if present.
  Null once the license is revoked: the revoke frees the alias on chain.
  """
  alias: String
  """
  The block timestamp for the transaction that minted this license.
  """
  mintedAt: Time!
  """
  Addition: ACTIVE, or REVOKED once the license token was burned.
  """
  status: DeveloperLicenseStatus!
  """
  Addition: the block timestamp of the revoke; null while active.
  """
  revokedAt: Time
  signers(first: Int, after: String, last: Int, before: String): SignerConnection!
  redirectURIs(first: Int, after: String, last: Int, before: String): RedirectURIConnection!
}

type DeveloperLicenseConnection {
  totalCount: Int!
  edges: [DeveloperLicenseEdge!]!
  nodes: [DeveloperLicense!]!
  pageInfo: PageInfo!
}

input DeveloperLicenseFilterBy {
  signer: Address
  owner: Address
  """
  Addition: only licenses with this status (default: both, as identity-api lists them).
  """
  status: DeveloperLicenseStatus
}

input DeveloperLicenseBy {
  clientId: Address
  alias: String
  tokenId: Int
  """
  The DID of the developer license in the format did:erc721:<chainID>:<contractAddress>:<tokenId>
  """
  tokenDID: String
}

type DeveloperLicenseEdge {
  node: DeveloperLicense!
  cursor: String!
}

type Signer {
  address: Address!
  enabledAt: Time!
  """
  Addition: enabledAt plus the contract's signer validity period (365 days unless changed);
  the contract no longer accepts the signer from then on.
  """
  expiresAt: Time!
  """
  Addition: whether expiresAt has passed.
  """
  expired: Boolean!
}

type RedirectURI {
  uri: String!
  enabledAt: Time!
}

type SignerConnection {
  totalCount: Int!
  edges: [SignerEdge!]!
  nodes: [Signer!]!
  pageInfo: PageInfo!
}

type SignerEdge {
  node: Signer!
  cursor: String!
}

type RedirectURIConnection {
  totalCount: Int!
  edges: [RedirectURIEdge!]!
  nodes: [RedirectURI!]!
  pageInfo: PageInfo!
}

type RedirectURIEdge {
  node: RedirectURI!
  cursor: String!
}

"""
The VehiclesFilter input is used to specify filtering criteria for querying vehicles.
Vehicles must match all of the specified criteria.
"""
input VehiclesFilter {
  """
  Privileged filters for vehicles to which the given address has access. This includes vehicles
  that this address owns.
  """
  privileged: Address
  """
  Owner filters for vehicles that this address owns.
  """
  owner: Address
}

type Vehicle {
  """
  An opaque global identifier for this vehicle.
  """
  id: ID!
  """
  The ERC-721 token id for the vehicle.
  """
  tokenId: Int!
  """
  The DID for this vehicle's token ID in the format did:erc721:<chainID>:<contractAddress>:<tokenId>
  """
  tokenDID: String!
  """
  The Ethereum address of the owner of this vehicle.
  """
  owner: Address!
  """
  The block timestamp at which this vehicle was minted.
  (1970-01-01T00:00:00Z for a vehicle minted before indexing started.)
  """
  mintedAt: Time!
  """
  A Relay-style connection listing any active privilege grants on this vehicle.
  """
  privileges(
    first: Int
    after: String
    last: Int
    before: String
    filterBy: PrivilegeFilterBy
  ): PrivilegesConnection!
  """
  A Relay-style connection listing any active SACD permission grants on this vehicle.
  """
  sacds(first: Int, after: String, last: Int, before: String): SacdConnection!
  """
  The active SACD for this vehicle and the specified grantee, if there is one.
  """
  sacd(grantee: Address!): Sacd
  """
  The device definition for this vehicle; which includes make, model, and year among
  other things. (Device definitions are not indexed here: every field is null.)
  """
  definition: Definition
}

type Definition {
  id: String
  make: String
  model: String
  year: Int
}

"""
An edge in a VehicleConnection.
"""
type VehicleEdge {
  node: Vehicle!
  cursor: String!
}

"""
The Connection type for Vehicle.
"""
type VehicleConnection {
  totalCount: Int!
  edges: [VehicleEdge!]!
  nodes: [Vehicle!]!
  pageInfo: PageInfo!
}

type Privilege {
  """
  The id of the privilege.
  """
  id: Int!
  """
  The user holding the privilege.
  """
  user: Address!
  """
  The block timestamp at which this privilege was last set.
  """
  setAt: Time!
  """
  The block timestamp at which the privilege expires.
  """
  expiresAt: Time!
}

type PrivilegeEdge {
  node: Privilege!
  cursor: String!
}

"""
The Connection type for Privileges.
"""
type PrivilegesConnection {
  totalCount: Int!
  edges: [PrivilegeEdge!]!
  nodes: [Privilege!]!
  pageInfo: PageInfo!
}

input PrivilegeFilterBy {
  user: Address
  privilegeId: Int
}

type Sacd {
  """
  Recipient of sacd permission grant
  """
  grantee: Address!
  """
  Hex string of permissions
  """
  permissions: String!
  """
  Permission source
  """
  source: String!
  """
  The block timestamp at which this permission was set.
  """
  createdAt: Time!
  """
  The block timestamp at which the permission expires.
  """
  expiresAt: Time!
  """
  The template used for this permission grant, if any. (Templates are not indexed here: always
  null; see templateId.)
  """
  template: Template
  """
  Addition: the template's token id (0x and 64 hex digits) when the grant names one.
  """
  templateId: String
}

type SacdEdge {
  node: Sacd!
  cursor: String!
}

"""
The Connection type for Sacds.
"""
type SacdConnection {
  totalCount: Int!
  edges: [SacdEdge!]!
  nodes: [Sacd!]!
  pageInfo: PageInfo!
}

type Template {
  """
  The token id of the template as an NFT
  """
  tokenId: BigInt!
  """
  Creator of the template
  """
  creator: Address!
  asset: Address!
  """
  Hex string of permissions
  """
  permissions: String!
  cid: String!
  """
  The block timestamp at which this template was created
  """
  createdAt: Time!
}

input AccountBy {
  address: Address
}

type Account {
  """
  The account's Ethereum address.
  """
  address: Address!
  """
  Lists active account SACDs granted by this account.
  """
  sacds(first: Int, after: String, last: Int, before: String): SacdConnection!
}
`;
