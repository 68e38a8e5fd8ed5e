// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IGenLicense {
    function issueInDc(address to, string calldata licenseAlias) external returns (uint256 tokenId, address clientId);
    function setLicenseAlias(uint256 tokenId, string calldata licenseAlias) external;
    function setLicenseAliasLegacy(uint256 tokenId, bytes32 licenseAlias) external;
    function enableSigner(uint256 tokenId, address signer) external;
    function disableSigner(uint256 tokenId, address signer) external;
    function setRedirectUri(uint256 tokenId, bool enabled, string calldata uri) external;
    function revoke(uint256 tokenId) external;
}

interface IGenLicenseAccount {
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory);
}

interface IGenVehicle {
    function mint(address to) external returns (uint256 tokenId);
    function transferFrom(address from, address to, uint256 tokenId) external;
    function burn(uint256 tokenId) external;
    function setPrivilege(uint256 tokenId, uint256 privId, address user, uint256 expires) external;
}

interface IGenSacd {
    function setPermissions(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 permissions,
        uint256 expiration,
        uint256 templateId,
        string calldata source
    ) external;
    function setPermissions(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 permissions,
        uint256 expiration,
        string calldata source
    ) external;
    function setAccountPermissions(
        address grantee,
        uint256 permissions,
        uint256 expiration,
        uint256 templateId,
        string calldata source
    ) external;
    function renouncePermissions(address asset, uint256 tokenId) external;
}

/// @title HistoryGenerator (test only)
/// @notice Builds large synthetic histories for benchmarks: every event is emitted by the real test contracts
///         (DevLicenseDimo, VehicleId, Sacd) through their public functions, in batches, so one transaction
///         carries thousands of events. It owns the licenses and vehicles it creates (and acts as each license's
///         clientId through the license account's `execute` to renounce). Everything is derived from the
///         arguments (ranges + salt), so calldata stays tiny and a history is reproducible. Needs REVOKER_ROLE
///         on the license contract for `revoke`. Grantee of (vehicle v, slot j) = clientId of license
///         `licFrom + (v * 7 + j + salt) % licCount`.
contract HistoryGenerator {
    IGenLicense public immutable license;
    IGenVehicle public immutable vehicle;
    IGenSacd public immutable sacd;

    /// @notice clientId of each license this generator issued.
    mapping(uint256 tokenId => address clientId) public clientOf;

    error UnexpectedTokenId(uint256 expected, uint256 got);

    constructor(address license_, address vehicle_, address sacd_) {
        license = IGenLicense(license_);
        vehicle = IGenVehicle(vehicle_);
        sacd = IGenSacd(sacd_);
    }

    /// @notice Issues licenses `firstId .. firstId + n - 1` to itself, with alias "app-<id>" when `withAlias`.
    function issue(uint256 firstId, uint256 n, bool withAlias) external {
        for (uint256 i = 0; i < n; ++i) {
            uint256 expected = firstId + i;
            (uint256 id, address clientId) =
                license.issueInDc(address(this), withAlias ? string.concat("app-", _str(expected)) : "");
            if (id != expected) revert UnexpectedTokenId(expected, id);
            clientOf[id] = clientId;
        }
    }

    function signerOf(uint256 tokenId, uint256 j, uint256 salt) public pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode(salt, tokenId, j)))));
    }

    function setSigners(uint256 from, uint256 count, uint256 perToken, uint256 salt, bool enabled) external {
        for (uint256 t = from; t < from + count; ++t) {
            for (uint256 j = 0; j < perToken; ++j) {
                if (enabled) license.enableSigner(t, signerOf(t, j, salt));
                else license.disableSigner(t, signerOf(t, j, salt));
            }
        }
    }

    function setRedirects(uint256 from, uint256 count, uint256 perToken, uint256 salt, bool enabled) external {
        for (uint256 t = from; t < from + count; ++t) {
            for (uint256 j = 0; j < perToken; ++j) {
                license.setRedirectUri(
                    t, enabled, string.concat("https://app-", _str(t), ".example/cb/", _str(salt), "/", _str(j))
                );
            }
        }
    }

    /// @notice Renames with the string overload ("r<salt>-<id>") or the legacy bytes32 one ("L<salt>-<id>").
    function rename(uint256 from, uint256 count, uint256 salt, bool legacy) external {
        for (uint256 t = from; t < from + count; ++t) {
            if (legacy) license.setLicenseAliasLegacy(t, bytes32(bytes(string.concat("L", _str(salt), "-", _str(t)))));
            else license.setLicenseAlias(t, string.concat("r", _str(salt), "-", _str(t)));
        }
    }

    function revoke(uint256 from, uint256 count) external {
        for (uint256 t = from; t < from + count; ++t) {
            license.revoke(t);
        }
    }

    function mintVehicles(uint256 n) external {
        for (uint256 i = 0; i < n; ++i) {
            vehicle.mint(address(this));
        }
    }

    function granteeOf(uint256 v, uint256 j, uint256 licFrom, uint256 licCount, uint256 salt)
        public
        view
        returns (address)
    {
        return clientOf[licFrom + (v * 7 + j + salt) % licCount];
    }

    /// @notice SACD grants on vehicles `vFrom ..` (v2 event with templateId, or the legacy v1 event).
    function grant(
        uint256 vFrom,
        uint256 vCount,
        uint256 perVehicle,
        uint256 licFrom,
        uint256 licCount,
        uint256 salt,
        bool legacy
    ) external {
        for (uint256 v = vFrom; v < vFrom + vCount; ++v) {
            for (uint256 j = 0; j < perVehicle; ++j) {
                uint256 h = uint256(keccak256(abi.encode(v, j, salt)));
                address grantee = granteeOf(v, j, licFrom, licCount, salt);
                uint256 permissions = (h & 0x3fffc) | 0xc; // at least permission 1
                uint256 expiration = block.timestamp + 30 days + (h % 365 days);
                string memory source = h % 3 == 0 ? "" : "ipfs://bafy-generated";
                if (legacy) {
                    sacd.setPermissions(address(vehicle), v, grantee, permissions, expiration, source);
                } else {
                    sacd.setPermissions(address(vehicle), v, grantee, permissions, expiration, (h >> 20) % 4, source);
                }
            }
        }
    }

    /// @notice The grantees of `grant(vFrom, vCount, perVehicle, licFrom, licCount, salt, _)` give their grants up.
    function renounce(uint256 vFrom, uint256 vCount, uint256 perVehicle, uint256 licFrom, uint256 licCount, uint256 salt)
        external
    {
        for (uint256 v = vFrom; v < vFrom + vCount; ++v) {
            for (uint256 j = 0; j < perVehicle; ++j) {
                IGenLicenseAccount(granteeOf(v, j, licFrom, licCount, salt)).execute(
                    address(sacd), 0, abi.encodeCall(IGenSacd.renouncePermissions, (address(vehicle), v))
                );
            }
        }
    }

    /// @notice Legacy privileges 1..8 on vehicles `vFrom ..`; `revoke` sets the same ones with expires 0.
    function privileges(
        uint256 vFrom,
        uint256 vCount,
        uint256 perVehicle,
        uint256 licFrom,
        uint256 licCount,
        uint256 salt,
        bool revoke_
    ) external {
        for (uint256 v = vFrom; v < vFrom + vCount; ++v) {
            for (uint256 j = 0; j < perVehicle; ++j) {
                uint256 expires = revoke_ ? 0 : block.timestamp + 90 days + ((v + j) % 30) * 1 days;
                vehicle.setPrivilege(v, 1 + (v + j) % 8, granteeOf(v, j, licFrom, licCount, salt), expires);
            }
        }
    }

    /// @notice Account-level grants from this generator (asset = this, tokenId = 0) to license clientIds.
    function accountGrants(uint256 licFrom, uint256 licCount, uint256 salt) external {
        for (uint256 t = licFrom; t < licFrom + licCount; ++t) {
            sacd.setAccountPermissions(clientOf[t], 0xfc, block.timestamp + 180 days, salt % 2, "");
        }
    }

    function transferVehicles(uint256 vFrom, uint256 vCount, address to) external {
        for (uint256 v = vFrom; v < vFrom + vCount; ++v) {
            vehicle.transferFrom(address(this), to, v);
        }
    }

    function burnVehicles(uint256 vFrom, uint256 vCount) external {
        for (uint256 v = vFrom; v < vFrom + vCount; ++v) {
            vehicle.burn(v);
        }
    }

    function _str(uint256 value) private pure returns (string memory s) {
        if (value == 0) return "0";
        uint256 len;
        for (uint256 v = value; v != 0; v /= 10) ++len;
        bytes memory b = new bytes(len);
        for (uint256 i = len; value != 0; value /= 10) b[--i] = bytes1(uint8(48 + value % 10));
        return string(b);
    }
}
