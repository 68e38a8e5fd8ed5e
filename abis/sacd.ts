// Generated from the contracts\' published ABIs (Sacd.events.json, Sacd.legacy-v1.events.json); event fragments are verbatim, only
// internalType dropped. Functions and errors follow the deployed contracts' ABIs.

/** SACD events as deployed today (PermissionsSet with templateId). */
const sacdEvents = [
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
    name: "PaymentSet",
    inputs: [
      {
        name: "asset",
        type: "address",
        indexed: true,
      },
      {
        name: "grantee",
        type: "address",
        indexed: true,
      },
      {
        name: "grantor",
        type: "address",
        indexed: true,
      },
      {
        name: "amount",
        type: "uint256",
        indexed: false,
      },
      {
        name: "expiration",
        type: "uint256",
        indexed: false,
      },
      {
        name: "source",
        type: "string",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "PermissionsRenounced",
    inputs: [
      {
        name: "asset",
        type: "address",
        indexed: true,
      },
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "grantee",
        type: "address",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "PermissionsSet",
    inputs: [
      {
        name: "asset",
        type: "address",
        indexed: true,
      },
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "permissions",
        type: "uint256",
        indexed: false,
      },
      {
        name: "grantee",
        type: "address",
        indexed: true,
      },
      {
        name: "expiration",
        type: "uint256",
        indexed: false,
      },
      {
        name: "templateId",
        type: "uint256",
        indexed: false,
      },
      {
        name: "source",
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

/** The v1 PermissionsSet without templateId (Oct 2024 – Oct 2025). */
const sacdLegacyEvents = [
  {
    type: "event",
    name: "PermissionsSet",
    inputs: [
      {
        name: "asset",
        type: "address",
        indexed: true,
      },
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "permissions",
        type: "uint256",
        indexed: false,
      },
      {
        name: "grantee",
        type: "address",
        indexed: true,
      },
      {
        name: "expiration",
        type: "uint256",
        indexed: false,
      },
      {
        name: "source",
        type: "string",
        indexed: false,
      },
    ],
    anonymous: false,
  },
] as const;

const sacdFunctions = [
  {
    type: "function",
    name: "setPermissions",
    inputs: [
      {
        name: "asset",
        type: "address",
      },
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "grantee",
        type: "address",
      },
      {
        name: "permissions",
        type: "uint256",
      },
      {
        name: "expiration",
        type: "uint256",
      },
      {
        name: "templateId",
        type: "uint256",
      },
      {
        name: "source",
        type: "string",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "setPermissions",
    inputs: [
      {
        name: "asset",
        type: "address",
      },
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "grantee",
        type: "address",
      },
      {
        name: "permissions",
        type: "uint256",
      },
      {
        name: "expiration",
        type: "uint256",
      },
      {
        name: "source",
        type: "string",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "setAccountPermissions",
    inputs: [
      {
        name: "grantee",
        type: "address",
      },
      {
        name: "permissions",
        type: "uint256",
      },
      {
        name: "expiration",
        type: "uint256",
      },
      {
        name: "templateId",
        type: "uint256",
      },
      {
        name: "source",
        type: "string",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "renouncePermissions",
    inputs: [
      {
        name: "asset",
        type: "address",
      },
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
    name: "renounceAccountPermissions",
    inputs: [
      {
        name: "grantor",
        type: "address",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "hasPermissions",
    inputs: [
      {
        name: "asset",
        type: "address",
      },
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "grantee",
        type: "address",
      },
      {
        name: "permissions",
        type: "uint256",
      },
    ],
    outputs: [
      {
        name: "",
        type: "bool",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "hasPermission",
    inputs: [
      {
        name: "asset",
        type: "address",
      },
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "grantee",
        type: "address",
      },
      {
        name: "permissionIndex",
        type: "uint8",
      },
    ],
    outputs: [
      {
        name: "",
        type: "bool",
      },
    ],
    stateMutability: "view",
  },
] as const;

export const sacdAbi = [...sacdEvents, ...sacdLegacyEvents, ...sacdFunctions] as const;
