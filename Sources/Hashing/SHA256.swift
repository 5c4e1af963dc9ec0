import CCrypto

/// A streaming SHA-256 digest through OpenSSL's libcrypto.
///
/// Feed bytes with `update` in any number of pieces, then call `finalize` once. Checkpoints and
/// datasets are identified by this digest, and the daemon hashes every checkpoint it reads, so it
/// must run at memory speed: libcrypto picks SHA-NI or AVX2 assembly at run time (over 1 GB/s
/// where a portable loop managed 0.37; docs/daemon.md). libcrypto rather than swift-crypto:
/// Debian's libssl-dev is already a system package here, while swift-crypto would compile
/// BoringSSL in every clean build. The context is a plain C struct, so a copy of a hasher is an
/// independent hasher, as before.
public struct SHA256: @unchecked Sendable {
    /// Length of the digest in bytes.
    public static let digestByteCount = 32

    private var context = SHA256_CTX()

    /// A digest of the empty message, ready for `update`.
    public init() { SHA256_Init(&context) }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    /// Appends `data` to the message.
    public mutating func update(_ data: [UInt8]) {
        data.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of the message. Call once.
    public mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.digestByteCount)
        SHA256_Final(&digest, &context)
        return digest
    }

    /// The lowercase hexadecimal SHA-256 of `data`.
    public static func hex(of data: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data)
        return hexString(hasher.finalize())
    }

    /// The lowercase hexadecimal SHA-256 of the bytes in `buffer`.
    public static func hex(of buffer: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(buffer)
        return hexString(hasher.finalize())
    }

    /// `bytes` as lowercase hexadecimal, two digits per byte.
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
