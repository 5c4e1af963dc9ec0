import Foundation

/// A plain SVG 1.1 document assembled element by element. Sharp's figures are written by hand
/// (no plotting dependency): every element is one line of text, every number has two decimals,
/// and text is XML-escaped, so the output is valid XML any browser opens.
public struct SVGDocument {
    /// Canvas size in user units (pixels).
    public let width: Double, height: Double
    private var elements: [String] = []
    private var definitions: [String] = []
    private var nextID = 0

    /// An empty white canvas.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
        rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
    }

    /// The document text.
    public var text: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" "
        out += "viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        if !definitions.isEmpty { out += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
        out += elements.joined(separator: "\n")
        out += "\n</svg>\n"
        return out
    }

    /// The `<svg>` element alone, for embedding in an HTML page (no XML declaration).
    public var inlineText: String {
        let full = text
        guard let start = full.range(of: "<svg ") else { return full }
        return String(full[start.lowerBound...])
    }

    /// Writes the document to `path` (UTF-8).
    public func write(to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: Elements

    /// A rectangle.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String = "none", stroke: String? = nil,
        strokeWidth: Double = 1, opacity: Double? = nil
    ) {
        var a = "x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0, width)))\" height=\"\(Self.n(max(0, height)))\" fill=\"\(fill)\""
        if let stroke { a += " stroke=\"\(stroke)\" stroke-width=\"\(Self.n(strokeWidth))\"" }
        if let opacity { a += " fill-opacity=\"\(Self.n(opacity))\"" }
        elements.append("<rect \(a)/>")
    }

    /// A straight line.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#000000", width: Double = 1, dash: String? = nil
    ) {
        var a = "x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\""
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        elements.append("<line \(a)/>")
    }

    /// A polyline through `points` (fewer than two points draw nothing). `clip` names a clip
    /// path from `clipRect`. `label` is kept as a `data-series` attribute (tests find series by it).
    public mutating func polyline(
        _ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5, dash: String? = nil, clip: String? = nil,
        label: String? = nil
    ) {
        guard points.count >= 2 else { return }
        let list = points.map { "\(Self.n($0.x)),\(Self.n($0.y))" }.joined(separator: " ")
        var a = "points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\""
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        if let clip { a += " clip-path=\"url(#\(clip))\"" }
        if let label { a += " data-series=\"\(Self.escape(label))\"" }
        elements.append("<polyline \(a)/>")
    }

    /// A circle.
    public mutating func circle(x: Double, y: Double, radius: Double, fill: String, stroke: String? = nil) {
        var a = "cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(radius))\" fill=\"\(fill)\""
        if let stroke { a += " stroke=\"\(stroke)\"" }
        elements.append("<circle \(a)/>")
    }

    /// Text anchored at (x, y): `anchor` is start, middle or end; `rotate` in degrees about (x, y).
    public mutating func text(
        _ string: String, x: Double, y: Double, size: Double = 12, anchor: String = "start", weight: String? = nil,
        fill: String = "#222222", rotate: Double? = nil
    ) {
        var a = "x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { a += " font-weight=\"\(weight)\"" }
        if let rotate { a += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        elements.append("<text \(a)>\(Self.escape(string))</text>")
    }

    /// A clip rectangle; returns its id for `clip:` arguments.
    public mutating func clipRect(x: Double, y: Double, width: Double, height: Double) -> String {
        nextID += 1
        let id = "clip\(nextID)"
        definitions.append(
            "<clipPath id=\"\(id)\"><rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\"/></clipPath>")
        return id
    }

    /// A comment (e.g. the data behind a figure, for people reading the file).
    public mutating func comment(_ string: String) {
        elements.append("<!-- \(string.replacingOccurrences(of: "--", with: "- -")) -->")
    }

    // MARK: Formatting

    /// A coordinate with at most two decimals (non-finite values become 0, which a caller avoids).
    static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded)
    }

    /// XML-escaped text.
    static func escape(_ string: String) -> String {
        var out = ""
        for c in string {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
