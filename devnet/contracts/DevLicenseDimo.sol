// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlLite} from "./AccessControlLite.sol";

interface IDevLicenseDimoToken {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

interface IDevLicenseDimoCredit {
    function burn(address from, uint256 amount) external;
    function dimoCreditRate() external view returns (uint256);
}

interface IDevLicenseSigners {
    function isSigner(uint256 tokenId, address signer) external view returns (bool);
    function ownerOf(uint256 tokenId) external view returns (address);
}

/// @title DimoDeveloperLicenseAccount (devnet)
/// @notice The per-license smart account whose address is the license's clientId. Same external surface as
///         DIMO-Network/developer-license src/licenseAccount/DimoDeveloperLicenseAccount.sol (tokenId(), license(),
///         isSigner(address), ERC-1271 isValidSignature, execute, receive) but a plain contract created with CREATE
///         by DevLicenseDimo instead of a beacon-proxy clone, so clientId = CREATE address (license, nonce = tokenId).
contract DimoDeveloperLicenseAccount {
    uint256 private immutable _tokenId;
    address private immutable _license;

    error Unauthorized();
    error ExecutionFailed(bytes returnData);
    error ECDSAInvalidSignature();
    error ECDSAInvalidSignatureLength(uint256 length);
    error ECDSAInvalidSignatureS(bytes32 s);

    constructor(uint256 tokenId_, address license_) {
        _tokenId = tokenId_;
        _license = license_;
    }

    function tokenId() external view returns (uint256) {
        return _tokenId;
    }

    function license() external view returns (address) {
        return _license;
    }

    function isSigner(address signer) public view returns (bool) {
        return IDevLicenseSigners(_license).isSigner(_tokenId, signer);
    }

    /// @notice ERC-1271: 0x1626ba7e iff `signature` (65 bytes r,s,v) over `hashValue` recovers to a signer that
    ///         the license currently accepts (`isSigner`), else 0xffffffff. Malformed signatures revert like
    ///         OpenZeppelin ECDSA.recover.
    function isValidSignature(bytes32 hashValue, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) revert ECDSAInvalidSignatureLength(signature.length);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) {
            revert ECDSAInvalidSignatureS(s);
        }
        address recovered = ecrecover(hashValue, v, r, s);
        if (recovered == address(0)) revert ECDSAInvalidSignature();
        return isSigner(recovered) ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }

    /// @notice Lets the license owner act as the clientId (e.g. renounce a SACD grant).
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        if (msg.sender != IDevLicenseSigners(_license).ownerOf(_tokenId)) revert Unauthorized();
        (bool success, bytes memory returnData) = target.call{value: value}(data);
        if (!success) revert ExecutionFailed(returnData);
        return returnData;
    }

    receive() external payable {}
}

/// @title DevLicenseDimo (devnet)
/// @notice Soulbound developer licenses, emitting exactly the events of DIMO-Network/developer-license
///         (DevLicenseCore + DevLicenseDimo) with the same access rules, alias quirks and log order. Differences:
///         no proxy/stake/metadata, a fixed DIMO price of $0.25 instead of an oracle, account contracts created
///         directly with CREATE, the constructor grants LICENSE_ADMIN_ROLE and REVOKER_ROLE to the deployer, and a
///         test-only `setLicenseAliasLegacy(uint256,bytes32)` that emits the 2024 bytes32 `LicenseAliasSet`.
contract DevLicenseDimo is AccessControlLite {
    bytes32 public constant LICENSE_ADMIN_ROLE = keccak256("LICENSE_ADMIN_ROLE");
    bytes32 public constant REVOKER_ROLE = keccak256("REVOKER_ROLE");
    /// @notice USD (1e18) per whole DIMO used by issueInDimo.
    uint256 public constant DIMO_USD_PRICE = 0.25 ether;

    string public constant name = "DIMO Developer License";
    string public constant symbol = "DLX";

    IDevLicenseDimoToken private immutable _dimoToken;
    IDevLicenseDimoCredit private immutable _dimoCredit;
    address public immutable receiver;

    uint256 public periodValidity;
    uint256 public licenseCostInUsd1e18;
    uint256 private _counter;

    mapping(uint256 tokenId => address owner) private _ownerOf;
    mapping(uint256 tokenId => address clientId) public tokenIdToClientId;
    mapping(address clientId => uint256 tokenId) public clientIdToTokenId;
    mapping(uint256 tokenId => bytes32 licenseAlias) private _tokenIdToAlias;
    mapping(bytes32 licenseAlias => uint256 tokenId) private _aliasToTokenId;
    /// @notice Timestamp the signer was last enabled (0 = not enabled).
    mapping(uint256 tokenId => mapping(address signer => uint256 enabledAt)) public signers;
    mapping(uint256 tokenId => mapping(string uri => bool enabled)) private _redirectUris;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event SignerEnabled(uint256 indexed tokenId, address indexed signer);
    event SignerDisabled(uint256 indexed tokenId, address indexed signer);
    event Locked(uint256 indexed tokenId);
    event LicenseAliasSet(uint256 indexed tokenId, string licenseAlias);
    /// @dev The bytes32 overload deployed between 2024-05-14 and 2024-10-08 (only `setLicenseAliasLegacy` emits it).
    event LicenseAliasSet(uint256 indexed tokenId, bytes32 licenseAlias);
    event UpdateLicenseCost(uint256 licenseCost);
    event UpdatePeriodValidity(uint256 periodValidity);
    event RedirectUriEnabled(uint256 indexed tokenId, string uri);
    event RedirectUriDisabled(uint256 indexed tokenId, string uri);
    event Issued(uint256 indexed tokenId, address indexed owner, address indexed clientId);

    error InvalidOperation();
    error InvalidSender(address sender);
    error NonexistentToken(uint256 tokenId);
    error AliasExceedsMaxLength();
    error AliasAlreadyInUse(string licenseAlias);

    modifier onlyTokenOwner(uint256 tokenId) {
        if (msg.sender != ownerOf(tokenId)) revert InvalidSender(msg.sender);
        _;
    }

    constructor(address dimoToken_, address dimoCredit_, address receiver_) {
        _dimoToken = IDevLicenseDimoToken(dimoToken_);
        _dimoCredit = IDevLicenseDimoCredit(dimoCredit_);
        receiver = receiver_;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        periodValidity = 365 days;
        emit UpdatePeriodValidity(365 days);
        emit UpdateLicenseCost(0);
        _grantRole(LICENSE_ADMIN_ROLE, msg.sender);
        _grantRole(REVOKER_ROLE, msg.sender);
    }

    function dimoToken() external view returns (address) {
        return address(_dimoToken);
    }

    function dimoCredit() external view returns (address) {
        return address(_dimoCredit);
    }

    /*////////////////////////////// Issuance //////////////////////////////*/

    function issueInDimo(string calldata licenseAlias) external returns (uint256 tokenId, address clientId) {
        return issueInDimo(msg.sender, licenseAlias);
    }

    /// @notice Pulls (licenseCost / $0.25, truncated to whole DIMO) DIMO from `to` (needs an allowance) to the
    ///         receiver, then issues. The transferFrom happens even for a zero cost, as in the real contract.
    function issueInDimo(address to, string calldata licenseAlias) public returns (uint256 tokenId, address clientId) {
        uint256 amount = (licenseCostInUsd1e18 / DIMO_USD_PRICE) * 1 ether;
        _dimoToken.transferFrom(to, receiver, amount);
        return _issue(to, licenseAlias);
    }

    function issueInDc(string calldata licenseAlias) external returns (uint256 tokenId, address clientId) {
        return issueInDc(msg.sender, licenseAlias);
    }

    /// @notice Burns (licenseCost / $0.001, truncated to whole DCX) DCX from `to`, then issues. The burn happens
    ///         even for a zero cost, as in the real contract.
    function issueInDc(address to, string calldata licenseAlias) public returns (uint256 tokenId, address clientId) {
        uint256 amount = (licenseCostInUsd1e18 / _dimoCredit.dimoCreditRate()) * 1 ether;
        _dimoCredit.burn(to, amount);
        return _issue(to, licenseAlias);
    }

    function _issue(address to, string calldata licenseAlias) private returns (uint256 tokenId, address clientId) {
        tokenId = ++_counter;
        clientId = address(new DimoDeveloperLicenseAccount(tokenId, address(this)));

        tokenIdToClientId[tokenId] = clientId;
        clientIdToTokenId[clientId] = tokenId;
        _ownerOf[tokenId] = to;

        emit Issued(tokenId, to, clientId);
        if (bytes(licenseAlias).length > 0) {
            _setLicenseAlias(tokenId, licenseAlias);
        }
        emit Locked(tokenId);
        emit Transfer(address(0), to, tokenId);
    }

    /// @notice Burns a license. Like the real contract it does not check existence (revoking an unknown id emits
    ///         Transfer(0, 0, id)) and leaves signers and redirect URIs in place.
    function revoke(uint256 tokenId) external onlyRole(REVOKER_ROLE) {
        address tokenOwner = _ownerOf[tokenId];
        delete _ownerOf[tokenId];

        address clientId = tokenIdToClientId[tokenId];
        delete tokenIdToClientId[tokenId];
        delete clientIdToTokenId[clientId];

        bytes32 licenseAlias = _tokenIdToAlias[tokenId];
        delete _tokenIdToAlias[tokenId];
        delete _aliasToTokenId[licenseAlias];

        emit Transfer(tokenOwner, address(0), tokenId);
    }

    /*////////////////////////////// Owner functions //////////////////////////////*/

    function setLicenseAlias(uint256 tokenId, string calldata licenseAlias) external onlyTokenOwner(tokenId) {
        _setLicenseAlias(tokenId, licenseAlias);
    }

    /// @notice TEST ONLY: the bytes32-era setter. Same uniqueness rules, emits `LicenseAliasSet(uint256,bytes32)`.
    function setLicenseAliasLegacy(uint256 tokenId, bytes32 licenseAlias) external onlyTokenOwner(tokenId) {
        if (_aliasToTokenId[licenseAlias] != 0) revert AliasAlreadyInUse(_fromSmallString(licenseAlias));
        delete _aliasToTokenId[_tokenIdToAlias[tokenId]];
        _tokenIdToAlias[tokenId] = licenseAlias;
        _aliasToTokenId[licenseAlias] = tokenId;
        emit LicenseAliasSet(tokenId, licenseAlias);
    }

    function enableSigner(uint256 tokenId, address signer) external onlyTokenOwner(tokenId) {
        signers[tokenId][signer] = block.timestamp;
        emit SignerEnabled(tokenId, signer);
    }

    function disableSigner(uint256 tokenId, address signer) external onlyTokenOwner(tokenId) {
        delete signers[tokenId][signer];
        emit SignerDisabled(tokenId, signer);
    }

    function setRedirectUri(uint256 tokenId, bool enabled, string calldata uri) external onlyTokenOwner(tokenId) {
        if (enabled) {
            _redirectUris[tokenId][uri] = true;
            emit RedirectUriEnabled(tokenId, uri);
        } else {
            delete _redirectUris[tokenId][uri];
            emit RedirectUriDisabled(tokenId, uri);
        }
    }

    /*////////////////////////////// Admin //////////////////////////////*/

    function setLicenseCost(uint256 licenseCostInUsd1e18_) external onlyRole(LICENSE_ADMIN_ROLE) {
        licenseCostInUsd1e18 = licenseCostInUsd1e18_;
        emit UpdateLicenseCost(licenseCostInUsd1e18_);
    }

    function setPeriodValidity(uint256 periodValidity_) external onlyRole(LICENSE_ADMIN_ROLE) {
        periodValidity = periodValidity_;
        emit UpdatePeriodValidity(periodValidity_);
    }

    /*////////////////////////////// Views //////////////////////////////*/

    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = _ownerOf[tokenId];
        if (owner == address(0)) revert NonexistentToken(tokenId);
    }

    function locked(uint256 tokenId) external view returns (bool) {
        if (_ownerOf[tokenId] == address(0)) revert NonexistentToken(tokenId);
        return true;
    }

    function isSigner(uint256 tokenId, address signer) public view returns (bool) {
        uint256 enabledAt = signers[tokenId][signer];
        return enabledAt != 0 && block.timestamp - enabledAt <= periodValidity;
    }

    function getSignerExpiration(uint256 tokenId, address signer) external view returns (uint256) {
        uint256 enabledAt = signers[tokenId][signer];
        return enabledAt == 0 ? 0 : enabledAt + periodValidity;
    }

    function redirectUriStatus(uint256 tokenId, string calldata uri) external view returns (bool) {
        return _redirectUris[tokenId][uri];
    }

    function getLicenseAliasByTokenId(uint256 tokenId) external view returns (string memory) {
        return _fromSmallString(_tokenIdToAlias[tokenId]);
    }

    function getTokenIdByLicenseAlias(string calldata licenseAlias) external view returns (uint256) {
        if (bytes(licenseAlias).length > 32) return 0;
        return _aliasToTokenId[_toKey(licenseAlias)];
    }

    function getTokenIdByLicenseAlias(bytes32 licenseAlias) external view returns (uint256) {
        return _aliasToTokenId[licenseAlias];
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd || interfaceId == 0xb45a3c0e
            || interfaceId == 0x5b5e139f || interfaceId == 0x7965db0b;
    }

    function approve(address, uint256) external pure {
        revert InvalidOperation();
    }

    function setApprovalForAll(address, bool) external pure {
        revert InvalidOperation();
    }

    function transferFrom(address, address, uint256) external pure {
        revert InvalidOperation();
    }

    function safeTransferFrom(address, address, uint256) external pure {
        revert InvalidOperation();
    }

    function safeTransferFrom(address, address, uint256, bytes calldata) external pure {
        revert InvalidOperation();
    }

    /*////////////////////////////// Internals //////////////////////////////*/

    /// @dev Mirrors DevLicenseCore._setLicenseAlias, including its quirks: re-setting the current alias reverts,
    ///      "" occupies the zero key, and the old key is always freed (for a token without alias that is the zero
    ///      key, even when another token holds "").
    function _setLicenseAlias(uint256 tokenId, string calldata licenseAlias) private {
        if (bytes(licenseAlias).length > 32) revert AliasExceedsMaxLength();
        bytes32 key = _toKey(licenseAlias);
        if (_aliasToTokenId[key] != 0) revert AliasAlreadyInUse(licenseAlias);
        delete _aliasToTokenId[_tokenIdToAlias[tokenId]];
        _tokenIdToAlias[tokenId] = key;
        _aliasToTokenId[key] = tokenId;
        emit LicenseAliasSet(tokenId, licenseAlias);
    }

    /// @dev The first 32 bytes of the string, right-padded with zeros (the string must be <= 32 bytes).
    function _toKey(string calldata s) private pure returns (bytes32 key) {
        uint256 length = bytes(s).length;
        assembly {
            key := calldataload(s.offset)
        }
        key &= ~bytes32(type(uint256).max >> (8 * length));
    }

    /// @dev Solady LibString.fromSmallString: the bytes before the first zero byte.
    function _fromSmallString(bytes32 s) private pure returns (string memory result) {
        uint256 n = 0;
        while (n < 32 && s[n] != 0) ++n;
        result = new string(n);
        for (uint256 i = 0; i < n; ++i) {
            bytes(result)[i] = s[i];
        }
    }
}
