// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlLite} from "./AccessControlLite.sol";

interface IVehicleIdSacd {
    function onTransfer(address asset, uint256 tokenId) external;
}

/// @title VehicleId (devnet)
/// @notice ERC-721 "DIMO Vehicle ID" with the EIP-5496 multi-privileges of DIMO-Network/dimo-identity
///         (contracts/NFTs/VehicleId.sol + MultiPrivilege.sol): same events, versioned privileges, and
///         `sacd.onTransfer` on every transfer. Differences: open `mint(address)` for the devnet, no approvals
///         (only the owner may transfer, set privileges or burn), custom errors instead of revert strings, and
///         privileges 1..8 are created enabled by the constructor.
contract VehicleId is AccessControlLite {
    string public constant name = "DIMO Vehicle ID";
    string public constant symbol = "DIMO/VEHICLE";

    struct PrivilegeData {
        bool enabled;
        string description;
    }

    uint256 private _counter;
    uint256 private _privilegeCounter;
    address public sacd;

    mapping(uint256 tokenId => address) private _owners;
    mapping(address owner => uint256) public balanceOf;
    mapping(uint256 privId => PrivilegeData) public privilegeRecord;
    mapping(uint256 tokenId => uint256 version) public tokenIdToVersion;
    mapping(uint256 tokenId => mapping(uint256 version => mapping(uint256 privId => mapping(address user => uint256))))
        public privilegeEntry;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event PrivilegeCreated(uint256 indexed privilegeId, bool enabled, string description);
    event PrivilegeEnabled(uint256 indexed privilegeId);
    event PrivilegeDisabled(uint256 indexed privilegeId);
    event PrivilegeSet(uint256 indexed tokenId, uint256 version, uint256 indexed privId, address indexed user, uint256 expires);

    error ERC721NonexistentToken(uint256 tokenId);
    error ERC721InvalidReceiver(address receiver);
    error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner);
    error Unauthorized(address sender);
    error InvalidPrivilegeId(uint256 privId);
    error PrivilegeNotEnabled(uint256 privId);

    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _createPrivilege(true, "GetNonLocationHistory");
        _createPrivilege(true, "ExecuteCommands");
        _createPrivilege(true, "GetCurrentLocation");
        _createPrivilege(true, "GetLocationHistory");
        _createPrivilege(true, "GetVINCredential");
        _createPrivilege(true, "GetLiveData");
        _createPrivilege(true, "GetRawData");
        _createPrivilege(true, "GetApproximateLocation");
    }

    /*////////////////////////////// Admin //////////////////////////////*/

    function setSacdAddress(address addr) external onlyRole(DEFAULT_ADMIN_ROLE) {
        sacd = addr;
    }

    function createPrivilege(bool enabled, string calldata description) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _createPrivilege(enabled, description);
    }

    function enablePrivilege(uint256 privId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (privId == 0 || privId > _privilegeCounter) revert InvalidPrivilegeId(privId);
        privilegeRecord[privId].enabled = true;
        emit PrivilegeEnabled(privId);
    }

    function disablePrivilege(uint256 privId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (privId == 0 || privId > _privilegeCounter) revert InvalidPrivilegeId(privId);
        privilegeRecord[privId].enabled = false;
        emit PrivilegeDisabled(privId);
    }

    /*////////////////////////////// ERC-721 //////////////////////////////*/

    /// @notice Devnet: anyone may mint a vehicle to anyone; ids are sequential from 1.
    function mint(address to) external returns (uint256 tokenId) {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        tokenId = ++_counter;
        _owners[tokenId] = to;
        unchecked {
            balanceOf[to] += 1;
        }
        emit Transfer(address(0), to, tokenId);
    }

    /// @notice Only the owner may move its vehicle (approvals are not supported, like the real `_transfer`).
    ///         Invalidates all privileges (version bump) and all SACD grants (`sacd.onTransfer`).
    function transferFrom(address from, address to, uint256 tokenId) public {
        address owner = ownerOf(tokenId);
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        if (from != owner) revert ERC721IncorrectOwner(from, tokenId, owner);
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        if (sacd != address(0)) IVehicleIdSacd(sacd).onTransfer(address(this), tokenId);
        tokenIdToVersion[tokenId]++;
        _owners[tokenId] = to;
        unchecked {
            balanceOf[from] -= 1;
            balanceOf[to] += 1;
        }
        emit Transfer(from, to, tokenId);
    }

    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        transferFrom(from, to, tokenId);
    }

    /// @notice Owner burns its vehicle; also bumps the privilege version.
    function burn(uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        tokenIdToVersion[tokenId]++;
        delete _owners[tokenId];
        unchecked {
            balanceOf[owner] -= 1;
        }
        emit Transfer(owner, address(0), tokenId);
    }

    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = _owners[tokenId];
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
    }

    function exists(uint256 tokenId) external view returns (bool) {
        return _owners[tokenId] != address(0);
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd || interfaceId == 0x7965db0b;
    }

    /*////////////////////////////// Privileges //////////////////////////////*/

    /// @notice Owner sets `user`'s privilege `privId` until `expires` (0 revokes) for the token's current version.
    function setPrivilege(uint256 tokenId, uint256 privId, address user, uint256 expires) external {
        if (msg.sender != ownerOf(tokenId)) revert Unauthorized(msg.sender);
        if (privId == 0 || privId > _privilegeCounter) revert InvalidPrivilegeId(privId);
        if (!privilegeRecord[privId].enabled) revert PrivilegeNotEnabled(privId);
        uint256 version = tokenIdToVersion[tokenId];
        privilegeEntry[tokenId][version][privId][user] = expires;
        emit PrivilegeSet(tokenId, version, privId, user, expires);
    }

    function hasPrivilege(uint256 tokenId, uint256 privId, address user) external view returns (bool) {
        return (
            privilegeRecord[privId].enabled
                && privilegeEntry[tokenId][tokenIdToVersion[tokenId]][privId][user] >= block.timestamp
        ) || ownerOf(tokenId) == user;
    }

    function privilegeExpiresAt(uint256 tokenId, uint256 privId, address user) external view returns (uint256) {
        return privilegeEntry[tokenId][tokenIdToVersion[tokenId]][privId][user];
    }

    function _createPrivilege(bool enabled, string memory description) private {
        uint256 privId = ++_privilegeCounter;
        privilegeRecord[privId] = PrivilegeData(enabled, description);
        emit PrivilegeCreated(privId, enabled, description);
    }
}
