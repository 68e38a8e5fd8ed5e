// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title OtherNft (devnet)
/// @notice A minimal ERC-721 used as "another asset" for SACD grants that are not on VehicleId.
///         Open `mint(address)` with sequential ids from 1; only the owner may transfer.
contract OtherNft {
    string public constant name = "Other NFT";
    string public constant symbol = "OTHER";

    uint256 private _counter;
    mapping(uint256 tokenId => address) private _owners;
    mapping(address owner => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    error ERC721NonexistentToken(uint256 tokenId);
    error ERC721InvalidReceiver(address receiver);
    error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner);

    function mint(address to) external returns (uint256 tokenId) {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        tokenId = ++_counter;
        _owners[tokenId] = to;
        unchecked {
            balanceOf[to] += 1;
        }
        emit Transfer(address(0), to, tokenId);
    }

    function transferFrom(address from, address to, uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        if (msg.sender != owner || from != owner) revert ERC721IncorrectOwner(msg.sender, tokenId, owner);
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        _owners[tokenId] = to;
        unchecked {
            balanceOf[from] -= 1;
            balanceOf[to] += 1;
        }
        emit Transfer(from, to, tokenId);
    }

    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = _owners[tokenId];
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd;
    }
}
