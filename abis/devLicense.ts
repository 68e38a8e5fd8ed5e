// Generated from the contracts\' published ABIs (DevLicenseDimo.events.json, DevLicenseDimo.legacy-bytes32-alias.events.json); event fragments are verbatim, only
// internalType dropped. Functions and errors follow the deployed contracts' ABIs.

/** DevLicenseDimo events as deployed today (string alias). */
export const devLicenseEvents = [
  {
    type: "event",
    name: "AssetForfeit",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "amount",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "AssetFreezeUpdate",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "amount",
        type: "uint256",
        indexed: false,
      },
      {
        name: "frozen",
        type: "bool",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "Initialized",
    inputs: [
      {
        name: "version",
        type: "uint64",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "Issued",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "owner",
        type: "address",
        indexed: true,
      },
      {
        name: "clientId",
        type: "address",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "LicenseAliasSet",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "licenseAlias",
        type: "string",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "Locked",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "RedirectUriDisabled",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "uri",
        type: "string",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "RedirectUriEnabled",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "uri",
        type: "string",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "RoleAdminChanged",
    inputs: [
      {
        name: "role",
        type: "bytes32",
        indexed: true,
      },
      {
        name: "previousAdminRole",
        type: "bytes32",
        indexed: true,
      },
      {
        name: "newAdminRole",
        type: "bytes32",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "RoleGranted",
    inputs: [
      {
        name: "role",
        type: "bytes32",
        indexed: true,
      },
      {
        name: "account",
        type: "address",
        indexed: true,
      },
      {
        name: "sender",
        type: "address",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "RoleRevoked",
    inputs: [
      {
        name: "role",
        type: "bytes32",
        indexed: true,
      },
      {
        name: "account",
        type: "address",
        indexed: true,
      },
      {
        name: "sender",
        type: "address",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "SignerDisabled",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "signer",
        type: "address",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "SignerEnabled",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "signer",
        type: "address",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "StakeDeposit",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "user",
        type: "address",
        indexed: true,
      },
      {
        name: "amount",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "StakeWithdraw",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "user",
        type: "address",
        indexed: true,
      },
      {
        name: "amount",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "Transfer",
    inputs: [
      {
        name: "from",
        type: "address",
        indexed: true,
      },
      {
        name: "to",
        type: "address",
        indexed: true,
      },
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "UpdateDimoCreditAddress",
    inputs: [
      {
        name: "dimoCredit_",
        type: "address",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "UpdateDimoTokenAddress",
    inputs: [
      {
        name: "dimoToken_",
        type: "address",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "UpdateLicenseAccountFactoryAddress",
    inputs: [
      {
        name: "licenseAccountFactory_",
        type: "address",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "UpdateLicenseCost",
    inputs: [
      {
        name: "licenseCost",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "UpdatePeriodValidity",
    inputs: [
      {
        name: "periodValidity",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "UpdatePriceProviderAddress",
    inputs: [
      {
        name: "provider",
        type: "address",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "UpdateReceiverAddress",
    inputs: [
      {
        name: "receiver_",
        type: "address",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "Upgraded",
    inputs: [
      {
        name: "implementation",
        type: "address",
        indexed: true,
      },
    ],
    anonymous: false,
  },
] as const;

/** The bytes32 alias overload emitted between 2024-05-14 and 2024-10-08. */
const devLicenseLegacyAliasEvents = [
  {
    type: "event",
    name: "LicenseAliasSet",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "licenseAlias",
        type: "bytes32",
        indexed: false,
      },
    ],
    anonymous: false,
  },
] as const;

const devLicenseFunctions = [
  {
    type: "function",
    name: "issueInDc",
    inputs: [
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
    outputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "clientId",
        type: "address",
      },
    ],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "issueInDc",
    inputs: [
      {
        name: "to",
        type: "address",
      },
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
    outputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "clientId",
        type: "address",
      },
    ],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "issueInDimo",
    inputs: [
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
    outputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "clientId",
        type: "address",
      },
    ],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "issueInDimo",
    inputs: [
      {
        name: "to",
        type: "address",
      },
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
    outputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "clientId",
        type: "address",
      },
    ],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "setLicenseAlias",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "enableSigner",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "signer",
        type: "address",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "disableSigner",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "signer",
        type: "address",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "setRedirectUri",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "enabled",
        type: "bool",
      },
      {
        name: "uri",
        type: "string",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "revoke",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "setPeriodValidity",
    inputs: [
      {
        name: "periodValidity_",
        type: "uint256",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "setLicenseCost",
    inputs: [
      {
        name: "licenseCostInUsd1e18_",
        type: "uint256",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "ownerOf",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
    outputs: [
      {
        name: "owner",
        type: "address",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "tokenIdToClientId",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
    outputs: [
      {
        name: "clientId",
        type: "address",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "clientIdToTokenId",
    inputs: [
      {
        name: "clientId",
        type: "address",
      },
    ],
    outputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "getLicenseAliasByTokenId",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
    outputs: [
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "getTokenIdByLicenseAlias",
    inputs: [
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
    outputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "isSigner",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "signer",
        type: "address",
      },
    ],
    outputs: [
      {
        name: "isSigner_",
        type: "bool",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "signers",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "signer",
        type: "address",
      },
    ],
    outputs: [
      {
        name: "timestamp",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "getSignerExpiration",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "signer",
        type: "address",
      },
    ],
    outputs: [
      {
        name: "timestamp",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "redirectUriStatus",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "uri",
        type: "string",
      },
    ],
    outputs: [
      {
        name: "enabled",
        type: "bool",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "periodValidity",
    inputs: [],
    outputs: [
      {
        name: "periodValidity_",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "licenseCostInUsd1e18",
    inputs: [],
    outputs: [
      {
        name: "licenseCostInUsd1e18_",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "dimoToken",
    inputs: [],
    outputs: [
      {
        name: "dimoToken_",
        type: "address",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "dimoCredit",
    inputs: [],
    outputs: [
      {
        name: "dimoCredit_",
        type: "address",
      },
    ],
    stateMutability: "view",
  },
] as const;

export const devLicenseErrors = [
  {
    type: "error",
    name: "AliasAlreadyInUse",
    inputs: [
      {
        name: "licenseAlias",
        type: "string",
      },
    ],
  },
  {
    type: "error",
    name: "AliasExceedsMaxLength",
    inputs: [],
  },
  {
    type: "error",
    name: "InvalidOperation",
    inputs: [],
  },
  {
    type: "error",
    name: "InvalidSender",
    inputs: [
      {
        name: "sender",
        type: "address",
      },
    ],
  },
  {
    type: "error",
    name: "NonexistentToken",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
  },
  {
    type: "error",
    name: "StakedFunds",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
  },
  {
    type: "error",
    name: "FrozenToken",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
  },
  {
    type: "error",
    name: "AccessControlUnauthorizedAccount",
    inputs: [
      {
        name: "account",
        type: "address",
      },
      {
        name: "neededRole",
        type: "bytes32",
      },
    ],
  },
] as const;

/** Everything the indexer and the console need from DevLicenseDimo, both alias overloads included. */
export const devLicenseAbi = [
  ...devLicenseEvents,
  ...devLicenseLegacyAliasEvents,
  ...devLicenseFunctions,
  ...devLicenseErrors,
] as const;
