import Foundation

/// One axis of a chart: its label, its scale and its data range, with "nice" ticks (steps of
/// 1, 2 or 5 × 10^k on a linear axis, powers of ten on a logarithmic one).
public struct PlotAxis: Sendable, Equatable {
    /// How data values map onto the axis.
    public enum Scale: Sendable, Equatable {
        case linear
        /// Base-10 logarithmic; the range must be positive.
        case log10
    }

    /// Axis title.
    public var label: String
    /// The mapping.
    public var scale: Scale
    /// Data range shown (for `log10`, both positive).
    public var lower: Double, upper: Double

    /// An axis over [lower, upper] as given.
    public init(label: String, scale: Scale = .linear, lower: Double, upper: Double) {
        self.label = label
        self.scale = scale
        self.lower = lower
        self.upper = upper
    }

    /// An axis that fits `values` (non-finite ones ignored; for log10, non-positive ones too),
    /// widened to whole tick steps; `including` values are always inside (e.g. 0 for bars).
    public static func fitting(
        _ values: [Double], label: String, scale: Scale = .linear, including: [Double] = [], pad: Double = 0
    ) -> PlotAxis {
        let usable = (values + including).filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var low = usable.min(), var high = usable.max() else {
            return PlotAxis(label: label, scale: scale, lower: scale == .linear ? 0 : 1, upper: scale == .linear ? 1 : 10)
        }
        switch scale {
        case .linear:
            if high == low {
                let spread = low == 0 ? 1 : abs(low) * 0.1
                (low, high) = (low - spread, high + spread)
            }
            let margin = (high - low) * pad
            low -= margin
            high += margin
            let step = niceStep((high - low) / 5)
            let lower = (low / step).rounded(.down) * step, upper = (high / step).rounded(.up) * step
            return PlotAxis(label: label, scale: .linear, lower: lower, upper: upper == lower ? lower + step : upper)
        case .log10:
            let lower = pow(10, Foundation.log10(low).rounded(.down)), upper = pow(10, Foundation.log10(high).rounded(.up))
            return PlotAxis(label: label, scale: .log10, lower: lower, upper: upper == lower ? lower * 10 : upper)
        }
    }

    /// Where `value` falls, 0 at `lower` and 1 at `upper` (outside values extrapolate).
    public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log10:
            guard value > 0 else { return -1 }
            return (Foundation.log10(value) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
        }
    }

    /// Tick values with their labels.
    public var ticks: [(value: Double, label: String)] {
        switch scale {
        case .linear:
            let step = Self.niceStep((upper - lower) / 5)
            var values: [Double] = []
            var v = (lower / step).rounded(.up) * step
            while v <= upper + step * 1e-9 {
                values.append(abs(v) < step * 1e-9 ? 0 : v)
                v += step
            }
            return values.map { ($0, Self.label($0, step: step)) }
        case .log10:
            let first = Int(Foundation.log10(lower).rounded(.up)), last = Int(Foundation.log10(upper).rounded(.down))
            guard first <= last else { return [(lower, Self.label(lower, step: lower)), (upper, Self.label(upper, step: upper))] }
            let every = max(1, (last - first + 1) / 7 + ((last - first + 1) % 7 == 0 ? 0 : 1))
            return stride(from: first, through: last, by: every).map { e in (pow(10, Double(e)), Self.powerLabel(e)) }
        }
    }

    /// 1, 2 or 5 × 10^k, the smallest such at least `rough`.
    public static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, Foundation.log10(rough).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * power >= rough * (1 - 1e-12) { return m * power }
        return 10 * power
    }

    /// A tick label with as many decimals as the step needs (exponent form for very large or
    /// very small magnitudes).
    static func label(_ value: Double, step: Double) -> String {
        let magnitude = max(abs(value), step)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            var text = String(format: "%.2g", value)
            text = text.replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-")
                .replacingOccurrences(of: "e+", with: "e")
            return text
        }
        let decimals = max(0, Int((-Foundation.log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", value)
    }

    /// 10^e as text: 0.01, 0.1, 1, 10, 100, ... and 1e-5 / 1e6 beyond.
    static func powerLabel(_ e: Int) -> String {
        if e >= 0 && e <= 4 { return String(Int(pow(10, Double(e)))) }
        if e < 0 && e >= -3 { return String(format: "%.\(-e)f", pow(10, Double(e))) }
        return "1e\(e)"
    }
}

/// A rectangle on the canvas (the plot area of a chart).
public struct PlotFrame: Sendable, Equatable {
    /// Top-left corner and size.
    public var x: Double, y: Double, width: Double, height: Double

    /// A frame.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Canvas x of an axis fraction.
    public func px(_ fraction: Double) -> Double { x + fraction * width }
    /// Canvas y of an axis fraction (0 at the bottom).
    public func py(_ fraction: Double) -> Double { y + (1 - fraction) * height }
}

/// Drawing axes, ticks, grid lines and titles around a frame.
extension SVGDocument {
    /// Frame, grid, ticks and axis titles; the chart title above.
    mutating func axes(
        _ frame: PlotFrame, x: PlotAxis?, y: PlotAxis, title: String?, xCategories: [(position: Double, label: String)] = [],
        grid: Bool = true
    ) {
        for tick in y.ticks {
            let py = frame.py(y.fraction(tick.value))
            guard py >= frame.y - 0.5, py <= frame.y + frame.height + 0.5 else { continue }
            if grid { line(x1: frame.x, y1: py, x2: frame.x + frame.width, y2: py, stroke: "#e4e4e4", width: 1) }
            line(x1: frame.x - 4, y1: py, x2: frame.x, y2: py, stroke: "#444444")
            text(tick.label, x: frame.x - 7, y: py + 4, size: 11, anchor: "end")
        }
        if let x {
            for tick in x.ticks {
                let px = frame.px(x.fraction(tick.value))
                guard px >= frame.x - 0.5, px <= frame.x + frame.width + 0.5 else { continue }
                if grid { line(x1: px, y1: frame.y, x2: px, y2: frame.y + frame.height, stroke: "#eeeeee", width: 1) }
                line(x1: px, y1: frame.y + frame.height, x2: px, y2: frame.y + frame.height + 4, stroke: "#444444")
                text(tick.label, x: px, y: frame.y + frame.height + 17, size: 11, anchor: "middle")
            }
            text(x.label, x: frame.x + frame.width / 2, y: frame.y + frame.height + 36, size: 12, anchor: "middle")
        }
        for category in xCategories {
            text(category.label, x: category.position, y: frame.y + frame.height + 18, size: 12, anchor: "middle")
        }
        rect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, stroke: "#444444")
        text(y.label, x: frame.x - 52, y: frame.y + frame.height / 2, size: 12, anchor: "middle", rotate: -90)
        if let title { text(title, x: frame.x + frame.width / 2, y: frame.y - 10, size: 14, anchor: "middle", weight: "bold") }
    }

    /// A legend box at the top-right corner inside `frame` (or at `origin` when given).
    mutating func legend(_ entries: [LegendEntry], in frame: PlotFrame, origin: (x: Double, y: Double)? = nil) {
        guard !entries.isEmpty else { return }
        let longest = entries.map(\.label.count).max() ?? 0
        let width = 34 + Double(longest) * 6.6, height = 8 + Double(entries.count) * 17
        let x = origin?.x ?? frame.x + frame.width - width - 8, y = origin?.y ?? frame.y + 8
        rect(x: x, y: y, width: width, height: height, fill: "#ffffff", stroke: "#bbbbbb", opacity: 0.9)
        for (i, entry) in entries.enumerated() {
            let cy = y + 12 + Double(i) * 17
            switch entry.symbol {
            case .line(let dash): line(x1: x + 6, y1: cy, x2: x + 26, y2: cy, stroke: entry.color, width: 2.5, dash: dash)
            case .box: rect(x: x + 8, y: cy - 6, width: 14, height: 12, fill: entry.color)
            }
            text(entry.label, x: x + 31, y: cy + 4, size: 11)
        }
    }
}

/// One legend line.
public struct LegendEntry: Sendable, Equatable {
    /// A line sample (with its dash pattern) or a filled box.
    public enum Symbol: Sendable, Equatable {
        case line(dash: String?)
        case box
    }

    /// Text.
    public var label: String
    /// Colour.
    public var color: String
    /// Sample shape.
    public var symbol: Symbol

    /// An entry.
    public init(label: String, color: String, symbol: Symbol = .line(dash: nil)) {
        self.label = label
        self.color = color
        self.symbol = symbol
    }
}
