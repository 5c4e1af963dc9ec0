import CArchive
import Foundation
import Testing

@testable import Datasets

/// `.npz` files are built here from scratch: `.npy` arrays encoded by `npy(...)` and zipped
/// with libarchive's writer (stored and deflated), as NumPy's `savez`/`savez_compressed` do.
@Suite final class NPZTests {
    /// Each test gets its own directory, removed when the test's suite instance goes away.
    let directory = TestData.temporaryDirectory("npz")
    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A `.npy` file: magic, version, little-endian header length, the header dict padded with
    /// spaces and a newline to a multiple of 64 bytes, then the data.
    static func npy(descr: String, shape: [Int], data: [UInt8], fortran: Bool = false, version: UInt8 = 1) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (\(dims)), }"
        let prefix = version == 1 ? 10 : 12
        header += String(repeating: " ", count: 63 - (prefix + header.utf8.count) % 64) + "\n"
        let length = header.utf8.count
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        bytes +=
            version == 1
            ? [UInt8(length & 0xFF), UInt8(length >> 8)] : (0..<4).map { UInt8(length >> (8 * $0) & 0xFF) }
        return bytes + Array(header.utf8) + data
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }

    /// A zip of `entries` written by libarchive ("store" or "deflate").
    static func zip(_ entries: [(String, [UInt8])], compression: String) -> [UInt8] {
        let capacity = entries.reduce(4096) { $0 + $1.1.count * 2 + 512 }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var used = 0
        let writer = archive_write_new()
        archive_write_set_format_zip(writer)
        archive_write_set_format_option(writer, "zip", "compression", compression)
        archive_write_open_memory(writer, buffer, capacity, &used)
        for (name, data) in entries {
            let entry = archive_entry_new()
            archive_entry_set_pathname(entry, name)
            archive_entry_set_size(entry, Int64(data.count))
            archive_entry_set_filetype(entry, 0o100000)
            archive_entry_set_perm(entry, 0o644)
            archive_write_header(writer, entry)
            data.withUnsafeBytes { _ = archive_write_data(writer, $0.baseAddress, $0.count) }
            archive_entry_free(entry)
        }
        archive_write_close(writer)
        archive_write_free(writer)
        return Array(UnsafeRawBufferPointer(start: buffer, count: used))
    }

    /// A BreastMNIST-like archive: 4×4 uint8 images, train 6 / val 2 / test 4.
    static func breastLike(compression: String, labelDescr: String = "|u1") -> [UInt8] {
        func part(_ name: String, _ n: Int, offset: Int) -> [(String, [UInt8])] {
            let pixels = (0..<(n * 16)).map { UInt8(($0 + offset) % 256) }
            let labels = (0..<n).map { ($0 + offset) % 2 }
            let labelBytes = labelDescr == "<i8" ? littleEndian(labels.map { Int64($0) }) : labels.map { UInt8($0) }
            return [
                ("\(name)_images.npy", npy(descr: "|u1", shape: [n, 4, 4], data: pixels)),
                ("\(name)_labels.npy", npy(descr: labelDescr, shape: [n, 1], data: labelBytes)),
            ]
        }
        return zip(
            part("train", 6, offset: 0) + part("val", 2, offset: 100) + part("test", 4, offset: 200),
            compression: compression)
    }

    func write(_ bytes: [UInt8]) throws -> String {
        let path = directory.appendingPathComponent("data-\(UUID().uuidString).npz").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: ["store", "deflate"])
    func readsStoredAndDeflatedArchivesWithTheFilesOwnSplit(compression: String) throws {
        let path = try write(
            Self.breastLike(compression: compression, labelDescr: compression == "store" ? "|u1" : "<i8"))
        let d = try DatasetSpec.npz(path, size: 4).build()
        #expect(d.images.shape == [12, 1, 4, 4])
        #expect(d.trainIndices == Array(0..<6) && d.validationIndices == [6, 7] && d.testIndices == Array(8..<12))
        #expect(d.labels == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        #expect(d.classNames == ["0", "1"])
        #expect(d.images.floats[0..<16] == ArraySlice((0..<16).map { Float($0) / 255 }))
        #expect(d.images.floats[16 * 6] == Float(100) / 255)
    }

    @Test func resizesImagesToTheTargetSize() throws {
        let path = try write(Self.breastLike(compression: "deflate"))
        let d = try DatasetSpec.npz(path, size: 2).build()
        #expect(d.images.shape == [12, 1, 2, 2])
        // Image 0 is 0…15 row-major; its top-left 2×2 block is 0, 1, 4, 5.
        #expect(abs(d.images.floats[0] - 2.5 / 255) < 1e-6)
    }

    @Test func readsFloatImagesAndVersionTwoHeaders() throws {
        let floats: [Float] = (0..<(3 * 4)).map { Float($0) / 11 }
        let data = Self.littleEndian(floats.map(\.bitPattern))
        let doubles = Self.littleEndian((0..<(3 * 4)).map { (Double($0) / 11).bitPattern })
        let labels = Self.littleEndian([Int64(0), 1, 2])
        let archive = Self.zip(
            [
                ("train_images.npy", Self.npy(descr: "<f4", shape: [3, 2, 2], data: data, version: 2)),
                ("train_labels.npy", Self.npy(descr: "<i8", shape: [3], data: labels, version: 3)),
                ("test_images.npy", Self.npy(descr: "<f8", shape: [3, 2, 2], data: doubles)),
                ("test_labels.npy", Self.npy(descr: "<i8", shape: [3, 1], data: labels)),
            ], compression: "deflate")
        let d = try DatasetSpec.npz(try write(archive), size: 2).build()
        #expect(d.classNames == ["0", "1", "2"])
        #expect(d.images.floats[0..<12] == ArraySlice(floats))
        #expect(d.images.floats[12..<24] == ArraySlice(floats))
    }

    func expectBadArray(_ entries: [(String, [UInt8])], mentioning text: String) throws {
        let path = try write(Self.zip(entries, compression: "store"))
        let error = #expect(throws: DatasetError.self) { try DatasetSpec.npz(path, size: 4).build() }
        #expect(error?.description.contains(text) == true, "\(String(describing: error)) should mention \(text)")
    }

    @Test func rejectsUnsupportedDtypesFortranOrderAndMissingArrays() throws {
        let labels = ("train_labels.npy", Self.npy(descr: "|u1", shape: [1], data: [0]))
        let test = [
            ("test_images.npy", Self.npy(descr: "|u1", shape: [1, 4, 4], data: Array(repeating: 0, count: 16))),
            ("test_labels.npy", Self.npy(descr: "|u1", shape: [1], data: [0])),
        ]
        try expectBadArray(
            [
                ("train_images.npy", Self.npy(descr: "<i2", shape: [1, 4, 4], data: Array(repeating: 0, count: 32))),
                labels,
            ] + test,
            mentioning: "unsupported dtype '<i2'")
        try expectBadArray(
            [
                ("train_images.npy", Self.npy(descr: ">f4", shape: [1, 4, 4], data: Array(repeating: 0, count: 64))),
                labels,
            ] + test,
            mentioning: "unsupported dtype '>f4'")
        try expectBadArray(
            [
                (
                    "train_images.npy",
                    Self.npy(descr: "|u1", shape: [1, 4, 4], data: Array(repeating: 0, count: 16), fortran: true)
                ), labels,
            ] + test,
            mentioning: "Fortran")
        try expectBadArray(
            [
                ("train_images.npy", Self.npy(descr: "|u1", shape: [1, 4, 4], data: Array(repeating: 0, count: 10))),
                labels,
            ] + test,
            mentioning: "shorter")
        try expectBadArray([labels] + test, mentioning: "no train_images.npy")
        let floatOutOfRange = Self.littleEndian(Array(repeating: Float(3).bitPattern, count: 16))
        try expectBadArray(
            [("train_images.npy", Self.npy(descr: "<f4", shape: [1, 4, 4], data: floatOutOfRange)), labels] + test,
            mentioning: "[0, 1]")
    }

    @Test func aFileThatIsNotAZipIsAClearError() throws {
        let path = try write(Array("definitely not a zip archive".utf8))
        let error = #expect(throws: DatasetError.self) { try DatasetSpec.npz(path, size: 4).build() }
        #expect(error?.description.hasPrefix(path) == true)
    }
}
