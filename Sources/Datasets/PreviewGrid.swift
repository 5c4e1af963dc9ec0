/// A contact sheet of dataset samples for a person to look at: for each class, a header line
/// with the class name, label and image count, then that class's samples in rows.
public enum PreviewGrid {
    /// A greyscale canvas in [0, 1], row-major.
    public struct Canvas: Sendable {
        /// Width in pixels.
        public let width: Int
        /// Height in pixels.
        public let height: Int
        /// `width · height` values in [0, 1].
        public let pixels: [Float]

        /// The canvas as PNG file bytes.
        public func png() throws(ImageCodecError) -> [UInt8] {
            try PNGCodec.encodeGray(pixels, width: width, height: height)
        }
    }

    /// Lays out the first `perClass` images of each class (in dataset order), `columns` per row,
    /// each image magnified `zoom` times (nearest neighbour, so pixels stay visible).
    public static func render(_ dataset: Dataset, perClass: Int, columns: Int, zoom: Int = 2) -> Canvas {
        precondition(perClass > 0 && columns > 0 && zoom > 0, "PreviewGrid: counts must be positive")
        let (h, w) = dataset.imageSize
        let (tileW, tileH, gap) = (w * zoom, h * zoom, 4)
        let textScale = max(1, min(3, tileW / 48))
        let headerH = BitmapFont.height * textScale + 2 * gap
        let counts = dataset.classCounts
        let picks = dataset.classNames.indices.map { c in
            Array(dataset.labels.indices.filter { dataset.labels[$0] == c }.prefix(perClass))
        }
        let rowsPerClass = picks.map { max(1, ($0.count + columns - 1) / columns) }
        let width = gap + columns * (tileW + gap)
        let height = rowsPerClass.reduce(0) { $0 + headerH + $1 * (tileH + gap) } + gap
        var canvas = [Float](repeating: 0.12, count: width * height)
        let pixels = dataset.images.pointer(Float.self)
        var y = 0
        for (c, name) in dataset.classNames.enumerated() {
            let title = "\(name) (label \(c), \(counts[c]) images)"
            BitmapFont.draw(title, into: &canvas, canvasWidth: width, x: gap, y: y + gap, scale: textScale, value: 1)
            y += headerH
            for (k, index) in picks[c].enumerated() {
                let (x0, y0) = (gap + (k % columns) * (tileW + gap), y + (k / columns) * (tileH + gap))
                for ty in 0..<tileH {
                    for tx in 0..<tileW {
                        canvas[(y0 + ty) * width + x0 + tx] = pixels[index * h * w + (ty / zoom) * w + tx / zoom]
                    }
                }
            }
            y += rowsPerClass[c] * (tileH + gap)
        }
        return Canvas(width: width, height: height, pixels: canvas)
    }
}
