// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlLite} from "./AccessControlLite.sol";

interface IDimoTokenLike {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title DimoCredit (devnet)
/// @notice Non-transferable DIMO Credits (DCX, 18 decimals), shaped like DIMO-Network/developer-license
///         src/DimoCredit.sol but with a FIXED price instead of an oracle:
///           1 DIMO = $0.25 (DIMO_USD_PRICE = 0.25e18), 1 DCX = $0.001 (dimoCreditRate() = 1e15),
///         so 1 DIMO buys 250 DCX. Only mint (from = 0) and burn (to = 0) emit `Transfer`.
contract DimoCredit is AccessControlLite {
    bytes32 public constant BURNER_ROLE = keccak256("BURNER_ROLE");
    /// @notice USD (1e18) per whole DIMO used by this devnet contract.
    uint256 public constant DIMO_USD_PRICE = 0.25 ether;
    uint256 private constant DIMO_CREDIT_RATE = 0.001 ether;

    string public constant name = "DIMO Credit";
    string public constant symbol = "DCX";

    IDimoTokenLike private immutable _dimo;
    address public immutable receiver;

    uint256 public totalSupply;
    mapping(address account => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    error InvalidOperation();
    error InsufficientBalance(address from, uint256 fromBalance, uint256 amount);

    constructor(address dimoToken_, address receiver_) {
        _dimo = IDimoTokenLike(dimoToken_);
        receiver = receiver_;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function dimoToken() external view returns (address) {
        return address(_dimo);
    }

    /// @notice USD (1e18) per DCX.
    function dimoCreditRate() external pure returns (uint256) {
        return DIMO_CREDIT_RATE;
    }

    /// @notice Pulls `amountIn` DIMO from the caller to the receiver and mints the DCX it buys to `to`.
    function mintInDimo(address to, uint256 amountIn) external returns (uint256 dimoCredits) {
        dimoCredits = (amountIn * DIMO_USD_PRICE) / DIMO_CREDIT_RATE;
        _mint(to, amountIn, dimoCredits);
    }

    /// @notice Mints exactly `amountDcx` DCX to `to`, pulling the DIMO it costs (rounded down) from the caller.
    function mint(address to, uint256 amountDcx) external returns (uint256 amountDimo) {
        amountDimo = (amountDcx * DIMO_CREDIT_RATE) / DIMO_USD_PRICE;
        _mint(to, amountDimo, amountDcx);
    }

    /// @notice DCX for `amountDimo` DIMO.
    function getQuote(uint256 amountDimo) external pure returns (uint256) {
        return (amountDimo * DIMO_USD_PRICE) / DIMO_CREDIT_RATE;
    }

    /// @notice DIMO for `amountDcx` DCX (rounded down, as in the real contract).
    function getQuoteDc(uint256 amountDcx) external pure returns (uint256) {
        return (amountDcx * DIMO_CREDIT_RATE) / DIMO_USD_PRICE;
    }

    function burn(address from, uint256 amount) external onlyRole(BURNER_ROLE) {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
            totalSupply -= amount;
        }
        emit Transfer(from, address(0), amount);
    }

    function transfer(address, uint256) external pure returns (bool) {
        revert InvalidOperation();
    }

    function transferFrom(address, address, uint256) external pure returns (bool) {
        revert InvalidOperation();
    }

    function approve(address, uint256) external pure returns (bool) {
        revert InvalidOperation();
    }

    function allowance(address, address) external pure returns (uint256) {
        revert InvalidOperation();
    }

    function _mint(address to, uint256 amountDimo, uint256 amountDcx) private {
        _dimo.transferFrom(msg.sender, receiver, amountDimo);
        totalSupply += amountDcx;
        unchecked {
            balanceOf[to] += amountDcx;
        }
        emit Transfer(address(0), to, amountDcx);
    }
}
