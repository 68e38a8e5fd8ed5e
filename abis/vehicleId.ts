// Generated from the contracts\' published ABIs (VehicleId.events.json); event fragments are verbatim, only
// internalType dropped. Functions and errors follow the deployed contracts' ABIs.

const vehicleIdEvents = [
  {
    type: "event",
    name: "AdminChanged",
    inputs: [
      {
        name: "previousAdmin",
        type: "address",
        indexed: false,
      },
      {
        name: "newAdmin",
        type: "address",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "Approval",
    inputs: [
      {
        name: "owner",
        type: "address",
        indexed: true,
      },
      {
        name: "approved",
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
    name: "ApprovalForAll",
    inputs: [
      {
        name: "owner",
        type: "address",
        indexed: true,
      },
      {
        name: "operator",
        type: "address",
        indexed: true,
      },
      {
        name: "approved",
        type: "bool",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "BatchMetadataUpdate",
    inputs: [
      {
        name: "_fromTokenId",
        type: "uint256",
        indexed: false,
      },
      {
        name: "_toTokenId",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "BeaconUpgraded",
    inputs: [
      {
        name: "beacon",
        type: "address",
        indexed: true,
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
        type: "uint8",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "MetadataUpdate",
    inputs: [
      {
        name: "_tokenId",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "PrivilegeCreated",
    inputs: [
      {
        name: "privilegeId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "enabled",
        type: "bool",
        indexed: false,
      },
      {
        name: "description",
        type: "string",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "PrivilegeDisabled",
    inputs: [
      {
        name: "privilegeId",
        type: "uint256",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "PrivilegeEnabled",
    inputs: [
      {
        name: "privilegeId",
        type: "uint256",
        indexed: true,
      },
    ],
    anonymous: false,
  },
  {
    type: "event",
    name: "PrivilegeSet",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "version",
        type: "uint256",
        indexed: false,
      },
      {
        name: "privId",
        type: "uint256",
        indexed: true,
      },
      {
        name: "user",
        type: "address",
        indexed: true,
      },
      {
        name: "expires",
        type: "uint256",
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

const vehicleIdFunctions = [
  {
    type: "function",
    name: "setPrivilege",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "privId",
        type: "uint256",
      },
      {
        name: "user",
        type: "address",
      },
      {
        name: "expires",
        type: "uint256",
      },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "transferFrom",
    inputs: [
      {
        name: "from",
        type: "address",
      },
      {
        name: "to",
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
    name: "ownerOf",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
    ],
    outputs: [
      {
        name: "",
        type: "address",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "hasPrivilege",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "privId",
        type: "uint256",
      },
      {
        name: "user",
        type: "address",
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
    name: "privilegeExpiresAt",
    inputs: [
      {
        name: "tokenId",
        type: "uint256",
      },
      {
        name: "privId",
        type: "uint256",
      },
      {
        name: "user",
        type: "address",
      },
    ],
    outputs: [
      {
        name: "",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
] as const;

export const vehicleIdAbi = [...vehicleIdEvents, ...vehicleIdFunctions] as const;
