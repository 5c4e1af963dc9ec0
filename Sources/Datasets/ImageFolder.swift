import Foundation
import Tensor

/// Loads `ROOT/<class>/*.png|*.jpg|*.jpeg` (the layout of BUSI and GDPH&SYSUCC): class names are
/// the sorted folder names, images are converted to BT.601 luma and resized to `size × size`.
///
/// Files are recognised by their signature, not their extension (a `.jpg` that is really a PNG
/// is read as a PNG). BUSI's segmentation masks (`… _mask.png`, `… _mask_1.png`) are not
/// images of the class and are ignored. A file that cannot be decoded is skipped and reported
/// (`Dataset.skippedFiles`), or, when `strict`, stops the load with an error naming it.
enum ImageFolder {
    /// File extensions considered, lowercased.
    static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Reads the folder; class and file order are by UTF-8 bytes of the names, so the result
    /// does not depend on the locale or the file system's listing order.
    static func load(root: String, size: Int, preprocessing: ImagePreprocessing, strict: Bool) throws(DatasetError)
        -> LoadedImages
    {
        let classNames = try subdirectories(of: root)
        guard !classNames.isEmpty else {
            throw .emptyFolder(path: root, reason: "no class folders (expected ROOT/<class>/*.png)")
        }
        var files: [(path: String, label: Int)] = []
        for (label, name) in classNames.enumerated() {
            let folder = (root as NSString).appendingPathComponent(name)
            for file in try listing(folder) where isImageName(file) {
                files.append(((folder as NSString).appendingPathComponent(file), label))
            }
        }
        guard !files.isEmpty else {
            throw .emptyFolder(path: root, reason: "no .png/.jpg/.jpeg files in the class folders")
        }

        var results = [Result<[Float], ImageCodecError>?](repeating: nil, count: files.count)
        results.withUnsafeMutableBufferPointer { slots in
            Parallel.forEachChunk(files.count, costPerItem: 1 << 20) { range in
                for k in range { slots[k] = decode(path: files[k].path, size: size, preprocessing: preprocessing) }
            }
        }
        var pixels: [Float] = [], labels: [Int] = [], skipped: [SkippedFile] = []
        pixels.reserveCapacity(files.count * preprocessing.channels * size * size)
        for (k, file) in files.enumerated() {
            switch results[k]! {
            case .success(let image):
                pixels.append(contentsOf: image)
                labels.append(file.label)
            case .failure(let error):
                if strict { throw .unreadableImage(path: file.path, reason: error.message) }
                skipped.append(SkippedFile(path: file.path, reason: error.message))
            }
        }
        guard !labels.isEmpty else {
            throw .emptyFolder(path: root, reason: "none of \(files.count) image files could be read")
        }
        let images = Tensor(shape: [labels.count, preprocessing.channels, size, size], scalars: pixels, dtype: .float32)
        return LoadedImages(images: images, labels: labels, classNames: classNames, skipped: skipped)
    }

    /// Reads and decodes one file, then preprocesses it (by default: luma, resized).
    static func decode(path: String, size: Int, preprocessing: ImagePreprocessing) -> Result<[Float], ImageCodecError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ImageCodecError("cannot read the file"))
        }
        let bytes = [UInt8](data)
        do {
            let image: DecodedImage
            if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
                image = try PNGCodec.decode(bytes)
            } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
                image = try JPEGCodec.decode(bytes)
            } else {
                return .failure(ImageCodecError(bytes.isEmpty ? "empty file" : "neither a PNG nor a JPEG file"))
            }
            let rgb = { () -> [[Float]]? in
                image.channels == 1 ? nil : (0..<3).map { c in (0..<(image.width * image.height)).map { p in Float(image.samples[3 * p + c]) / 255 } }
            }
            return .success(preprocessing.apply(width: image.width, height: image.height, size: size, luma: image.luma, rgb: rgb))
        } catch {
            return .failure(error)
        }
    }

    /// Whether a file name is an image of the class (right extension, not hidden, not a mask).
    static func isImageName(_ name: String) -> Bool {
        let lower = name.lowercased()
        guard !lower.hasPrefix("."), let dot = lower.lastIndex(of: ".") else { return false }
        let stem = lower[..<dot]
        if stem.hasSuffix("_mask") || stem.contains("_mask_") { return false }
        return extensions.contains(String(lower[lower.index(after: dot)...]))
    }

    private static func subdirectories(of root: String) throws(DatasetError) -> [String] {
        try listing(root).filter { name in
            var isDirectory: ObjCBool = false
            let path = (root as NSString).appendingPathComponent(name)
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
    }

    private static func listing(_ path: String) throws(DatasetError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted {
                $0.utf8.lexicographicallyPrecedes($1.utf8)
            }
        } catch {
            guard FileManager.default.fileExists(atPath: path) else {
                throw .io(path: path, reason: "no such folder; a dataset is bus-synth, a folder ROOT/<class>/*.png|jpg, or a .npz file")
            }
            throw .io(path: path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
    }
}
