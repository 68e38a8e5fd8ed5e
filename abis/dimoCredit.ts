// DimoCredit (DCX): non-transferable credits minted by paying DIMO (mintInDimo) and burned
// by the license contract for fees. Transfer events give balances.

export const dimoCreditAbi = [
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
        name: "value",
        type: "uint256",
        indexed: false,
      },
    ],
    anonymous: false,
  },
  {
    type: "function",
    name: "mintInDimo",
    inputs: [
      {
        name: "to",
        type: "address",
      },
      {
        name: "amountIn",
        type: "uint256",
      },
    ],
    outputs: [
      {
        name: "dimoCredits",
        type: "uint256",
      },
    ],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "getQuoteDc",
    inputs: [
      {
        name: "amountDcx",
        type: "uint256",
      },
    ],
    outputs: [
      {
        name: "amountDimo",
        type: "uint256",
      },
    ],
    stateMutability: "view",
  },
  {
    type: "function",
    name: "balanceOf",
    inputs: [
      {
        name: "account",
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
  {
    type: "function",
    name: "decimals",
    inputs: [],
    outputs: [
      {
        name: "",
        type: "uint8",
      },
    ],
    stateMutability: "view",
  },
] as const;
