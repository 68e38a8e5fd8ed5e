// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlLite} from "./AccessControlLite.sol";

interface ISacdAsset {
    function ownerOf(uint256 tokenId) external view returns (address);
}

/// @title Sacd (devnet)
/// @notice Service Access Contract Definitions, shaped like DIMO-Network/sacd contracts/Sacd.sol plus the newer
///         ABI (templateId, account grants, renounce). One record per (asset, tokenId, version, grantee),
///         overwritten on re-set; `onTransfer` bumps the version. Differences: templateId is stored and emitted
///         but never validated (there is no Template contract), renouncing a missing grant still emits, and
///         there is no payment or upgrade logic.
///         Emits the v2 `PermissionsSet` (with templateId) from the 7-argument setPermissions and
///         setAccountPermissions, and the v1 event (no templateId) from the legacy 6-argument setPermissions.
contract Sacd is AccessControlLite {
    struct PermissionRecord {
        uint256 permissions;
        uint256 expiration;
        uint256 templateId;
        string source;
    }

    mapping(address asset => mapping(uint256 tokenId => uint256 version)) public tokenIdToVersion;
    mapping(
        address asset => mapping(uint256 tokenId => mapping(uint256 version => mapping(address grantee => PermissionRecord)))
    ) private _records;

    /// @dev v2, since ~2025-10.
    event PermissionsSet(
        address indexed asset,
        uint256 indexed tokenId,
        uint256 permissions,
        address indexed grantee,
        uint256 expiration,
        uint256 templateId,
        string source
    );
    /// @dev v1, 2024-10 to ~2025-10.
    event PermissionsSet(
        address indexed asset,
        uint256 indexed tokenId,
        uint256 permissions,
        address indexed grantee,
        uint256 expiration,
        string source
    );
    event PermissionsRenounced(address indexed asset, uint256 indexed tokenId, address indexed grantee);

    error ZeroAddress();
    error Unauthorized(address addr);
    error InvalidTokenId(address asset, uint256 tokenId);

    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    function setPermissions(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 permissions,
        uint256 expiration,
        uint256 templateId,
        string calldata source
    ) external {
        _store(asset, tokenId, grantee, permissions, expiration, templateId, source);
        emit PermissionsSet(asset, tokenId, permissions, grantee, expiration, templateId, source);
    }

    function setPermissions(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 permissions,
        uint256 expiration,
        string calldata source
    ) external {
        _store(asset, tokenId, grantee, permissions, expiration, 0, source);
        emit PermissionsSet(asset, tokenId, permissions, grantee, expiration, source);
    }

    /// @notice Grant on the caller's own account: asset = msg.sender, tokenId = 0.
    function setAccountPermissions(
        address grantee,
        uint256 permissions,
        uint256 expiration,
        uint256 templateId,
        string calldata source
    ) external {
        if (grantee == address(0)) revert ZeroAddress();
        _write(msg.sender, 0, grantee, permissions, expiration, templateId, source);
        emit PermissionsSet(msg.sender, 0, permissions, grantee, expiration, templateId, source);
    }

    /// @notice The grantee (msg.sender) gives up its grant on (asset, tokenId).
    function renouncePermissions(address asset, uint256 tokenId) external {
        delete _records[asset][tokenId][tokenIdToVersion[asset][tokenId]][msg.sender];
        emit PermissionsRenounced(asset, tokenId, msg.sender);
    }

    /// @notice The grantee (msg.sender) gives up its account-level grant from `grantor`.
    function renounceAccountPermissions(address grantor) external {
        delete _records[grantor][0][tokenIdToVersion[grantor][0]][msg.sender];
        emit PermissionsRenounced(grantor, 0, msg.sender);
    }

    /// @notice Called by the asset contract on every transfer: invalidates all grants on the token. No event.
    function onTransfer(address asset, uint256 tokenId) external {
        if (msg.sender != asset) revert Unauthorized(msg.sender);
        tokenIdToVersion[asset][tokenId]++;
    }

    function hasPermission(address asset, uint256 tokenId, address grantee, uint8 permissionIndex)
        external
        view
        returns (bool)
    {
        PermissionRecord storage pr = _current(asset, tokenId, grantee);
        if (pr.expiration <= block.timestamp) return false;
        return (pr.permissions >> (2 * uint256(permissionIndex))) & 3 == 3;
    }

    function hasPermissions(address asset, uint256 tokenId, address grantee, uint256 permissions)
        external
        view
        returns (bool)
    {
        PermissionRecord storage pr = _current(asset, tokenId, grantee);
        if (pr.expiration <= block.timestamp) return false;
        return (pr.permissions & permissions) == permissions;
    }

    function getPermissions(address asset, uint256 tokenId, address grantee, uint256 permissions)
        external
        view
        returns (uint256)
    {
        PermissionRecord storage pr = _current(asset, tokenId, grantee);
        if (pr.expiration <= block.timestamp) return 0;
        return pr.permissions & permissions;
    }

    function currentPermissionRecord(address asset, uint256 tokenId, address grantee)
        external
        view
        returns (PermissionRecord memory)
    {
        return _current(asset, tokenId, grantee);
    }

    function permissionRecords(address asset, uint256 tokenId, uint256 version, address grantee)
        external
        view
        returns (PermissionRecord memory)
    {
        return _records[asset][tokenId][version][grantee];
    }

    function _current(address asset, uint256 tokenId, address grantee) private view returns (PermissionRecord storage) {
        return _records[asset][tokenId][tokenIdToVersion[asset][tokenId]][grantee];
    }

    /// @dev Caller must own the token or be the asset contract itself; the token must exist.
    function _store(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 permissions,
        uint256 expiration,
        uint256 templateId,
        string calldata source
    ) private {
        address tokenOwner;
        try ISacdAsset(asset).ownerOf(tokenId) returns (address owner) {
            tokenOwner = owner;
        } catch {
            revert InvalidTokenId(asset, tokenId);
        }
        if (tokenOwner != msg.sender && asset != msg.sender) revert Unauthorized(msg.sender);
        if (grantee == address(0)) revert ZeroAddress();
        _write(asset, tokenId, grantee, permissions, expiration, templateId, source);
    }

    function _write(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 permissions,
        uint256 expiration,
        uint256 templateId,
        string calldata source
    ) private {
        _records[asset][tokenId][tokenIdToVersion[asset][tokenId]][grantee] =
            PermissionRecord(permissions, expiration, templateId, source);
    }
}
