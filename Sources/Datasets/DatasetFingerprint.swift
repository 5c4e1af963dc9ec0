import Hashing
import Tensor

/// SHA-256 fingerprints over a canonical byte encoding, so equal data gives equal hex strings
/// on every machine. Layout (all integers unsigned 64-bit little-endian):
///
/// - content: `"sharp.dataset.v1\n"`, rank, each dimension, label count, each label, every
///   pixel as float32 little-endian bytes (row-major NCHW), class count, then each class name as
///   its UTF-8 byte count followed by the bytes.
/// - split: `"sharp.split.v1\n"`, then for train, validation and test: count, each index.
public enum DatasetFingerprint {
    /// Hex SHA-256 of the dataset's content.
    public static func content(images: Tensor, labels: [Int], classNames: [String]) -> String {
        var hash = SHA256()
        hash.update(Array("sharp.dataset.v1\n".utf8))
        hash.update(integers([images.rank] + images.shape))
        hash.update(integers([labels.count] + labels))
        let floats = images.converted(to: .float32)
        #if _endian(little)
            hash.update(UnsafeRawBufferPointer(start: floats.pointer(Float.self), count: floats.count * 4))
        #else
            let bits = UnsafeBufferPointer(start: floats.pointer(Float.self), count: floats.count).map {
                $0.bitPattern.littleEndian
            }
            bits.withUnsafeBytes { hash.update($0) }
        #endif
        hash.update(integers([classNames.count]))
        for name in classNames {
            let bytes = Array(name.utf8)
            hash.update(integers([bytes.count]))
            hash.update(bytes)
        }
        return SHA256.hexString(hash.finalize())
    }

    /// Hex SHA-256 of the split's three index lists.
    public static func split(train: [Int], validation: [Int], test: [Int]) -> String {
        var hash = SHA256()
        hash.update(Array("sharp.split.v1\n".utf8))
        for part in [train, validation, test] { hash.update(integers([part.count] + part)) }
        return SHA256.hexString(hash.finalize())
    }

    /// The values as unsigned 64-bit little-endian bytes (negative values wrap; none occur).
    static func integers(_ values: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for v in values {
            let u = UInt64(bitPattern: Int64(v))
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: u >> UInt64(shift))) }
        }
        return bytes
    }
}
