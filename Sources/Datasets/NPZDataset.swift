import Foundation
import Tensor

/// Loads a MedMNIST-style `.npz` (e.g. BreastMNIST): `train_images`, `train_labels`,
/// `test_images`, `test_labels` and optionally `val_images`, `val_labels`, each a `.npy`.
///
/// Images may be `[N, H, W]`, `[N, H, W, 1]` or `[N, H, W, 3]` (RGB is converted to BT.601
/// luma); `uint8` is scaled by 1/255 and floats must already lie in [0, 1]. Labels are `[N]` or
/// `[N, 1]` non-negative integers; class names are the label numbers ("0", "1", …), since the
/// file does not name them (BreastMNIST: 0 = malignant, 1 = normal or benign).
/// Images keep the file's order: train, then validation, then test.
enum NPZDataset {
    /// Splits in file order, with the key prefix each uses.
    static let parts = [("train", true), ("val", false), ("test", true)]

    static func load(path: String, size: Int, preprocessing: ImagePreprocessing) throws(DatasetError) -> LoadedImages {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        let entries: [String: [UInt8]]
        do { entries = try ZipEntries.read([UInt8](data)) } catch {
            throw .badArchive(path: path, reason: error.message)
        }
        var pixels: [Float] = [], labels: [Int] = [], ranges: [Range<Int>] = []
        for (part, required) in parts {
            let (imageKey, labelKey) = ("\(part)_images.npy", "\(part)_labels.npy")
            guard let imageBytes = entries[imageKey], let labelBytes = entries[labelKey] else {
                if required || entries[imageKey] != nil || entries[labelKey] != nil {
                    let missing = entries[imageKey] == nil ? imageKey : labelKey
                    throw .badArchive(
                        path: path, reason: "no \(missing) (entries: \(entries.keys.sorted().joined(separator: ", ")))")
                }
                ranges.append(labels.count..<labels.count)
                continue
            }
            let images = try array(imageBytes, path, imageKey), partLabels = try array(labelBytes, path, labelKey)
            let converted = try NPZImages.convert(images, size: size, preprocessing: preprocessing, path: path, entry: imageKey)
            let values = try labelValues(partLabels, count: images.shape[0], path: path, entry: labelKey)
            let start = labels.count
            pixels.append(contentsOf: converted)
            labels.append(contentsOf: values)
            ranges.append(start..<labels.count)
        }
        guard !labels.isEmpty else { throw .badArchive(path: path, reason: "the arrays hold no images") }
        let classCount = (labels.max() ?? 0) + 1
        let tensor = Tensor(shape: [labels.count, preprocessing.channels, size, size], scalars: pixels, dtype: .float32)
        return LoadedImages(
            images: tensor, labels: labels, classNames: (0..<classCount).map(String.init),
            fileSplit: (Array(ranges[0]), Array(ranges[1]), Array(ranges[2])))
    }

    private static func array(_ bytes: [UInt8], _ path: String, _ entry: String) throws(DatasetError) -> NPYArray {
        do { return try NPYArray(parsing: bytes) } catch {
            throw .badArray(path: path, entry: entry, reason: error.message)
        }
    }

    private static func labelValues(_ a: NPYArray, count: Int, path: String, entry: String) throws(DatasetError)
        -> [Int]
    {
        guard a.shape == [count] || a.shape == [count, 1] else {
            throw .badArray(
                path: path, entry: entry,
                reason: "labels of shape \(a.shape) for \(count) images (expected [N] or [N, 1])")
        }
        var labels: [Int] = []
        labels.reserveCapacity(count)
        for v in a.values {
            guard v >= 0, v < 1_048_576, v == v.rounded() else {
                throw .badArray(path: path, entry: entry, reason: "label \(v) is not a non-negative integer")
            }
            labels.append(Int(v))
        }
        return labels
    }
}

/// Conversion of an `.npz` image array to `[N · channels · size · size]` through the preprocessing
/// (by default luma in [0, 1]).
enum NPZImages {
    static func convert(_ a: NPYArray, size: Int, preprocessing: ImagePreprocessing, path: String, entry: String)
        throws(DatasetError) -> [Float]
    {
        let channels: Int
        switch a.shape.count {
        case 3: channels = 1
        case 4 where a.shape[3] == 1 || a.shape[3] == 3: channels = a.shape[3]
        default:
            throw .badArray(
                path: path, entry: entry, reason: "images of shape \(a.shape) (expected [N, H, W] or [N, H, W, 1|3])")
        }
        let (n, h, w) = (a.shape[0], a.shape[1], a.shape[2])
        guard n == 0 || (h > 0 && w > 0) else {
            throw .badArray(path: path, entry: entry, reason: "empty images of shape \(a.shape)")
        }
        let divisor: Float  // divide, not multiply by 1/255: bit-equal to PyTorch's x.float() / 255
        if a.isInteger {
            guard a.descr.hasSuffix("u1") else {
                throw .badArray(
                    path: path, entry: entry, reason: "integer images must be uint8 ('|u1'), not '\(a.descr)'")
            }
            divisor = 255
        } else {
            guard a.values.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw .badArray(
                    path: path, entry: entry, reason: "float images must lie in [0, 1] (found values outside, or NaN)")
            }
            divisor = 1
        }
        var out: [Float] = []
        out.reserveCapacity(n * preprocessing.channels * size * size)
        for i in 0..<n {
            let base = i * h * w * channels
            let luma = {
                (0..<(h * w)).map { p -> Float in
                    if channels == 1 { return a.values[base + p] / divisor }
                    let (r, g, b) = (a.values[base + 3 * p], a.values[base + 3 * p + 1], a.values[base + 3 * p + 2])
                    return (0.299 * r + 0.587 * g + 0.114 * b) / divisor
                }
            }
            let rgb = { () -> [[Float]]? in
                channels == 1 ? nil : (0..<3).map { c in (0..<(h * w)).map { p in a.values[base + 3 * p + c] / divisor } }
            }
            out.append(contentsOf: preprocessing.apply(width: w, height: h, size: size, luma: luma, rgb: rgb))
        }
        return out
    }
}
