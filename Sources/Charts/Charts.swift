import Foundation

/// Lines on x/y axes (training curves, eigenvalue densities, 1-D loss slices).
public struct LineChart: Sendable {
    /// One line.
    public struct Series: Sendable {
        /// Legend text (series with the same name share one legend entry).
        public var name: String
        /// Stroke colour.
        public var color: String
        /// Dash pattern (nil: solid).
        public var dash: String?
        /// The data; non-finite points break nothing, they are dropped.
        public var points: [(x: Double, y: Double)]
        /// Dots on the data points.
        public var markers = false
        /// Vertical error bars (low, high) per point, or empty.
        public var errorBars: [(low: Double, high: Double)] = []

        /// A line.
        public init(
            name: String, color: String, dash: String? = nil, points: [(x: Double, y: Double)], markers: Bool = false,
            errorBars: [(low: Double, high: Double)] = []
        ) {
            self.name = name
            self.color = color
            self.dash = dash
            self.points = points
            self.markers = markers
            self.errorBars = errorBars
        }
    }

    /// Chart title.
    public var title: String
    /// Axes.
    public var x: PlotAxis, y: PlotAxis
    /// Lines, drawn in order.
    public var series: [Series]
    /// Extra vertical reference lines (x value, label).
    public var markers: [(x: Double, label: String)] = []

    /// A chart.
    public init(title: String, x: PlotAxis, y: PlotAxis, series: [Series], markers: [(x: Double, label: String)] = []) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.markers = markers
    }

    /// Draws into `frame` of `svg`.
    public func draw(into svg: inout SVGDocument, frame: PlotFrame, legend: Bool = true) {
        svg.axes(frame, x: x, y: y, title: title)
        let clip = svg.clipRect(x: frame.x, y: frame.y, width: frame.width, height: frame.height)
        for marker in markers {
            let px = frame.px(x.fraction(marker.x))
            svg.line(x1: px, y1: frame.y, x2: px, y2: frame.y + frame.height, stroke: "#888888", dash: "4 3")
            svg.text(marker.label, x: px + 4, y: frame.y + frame.height - 6, size: 10, fill: "#666666")
        }
        for s in series {
            // A non-finite (or, on a log axis, non-positive) point breaks the line.
            var runs: [[(x: Double, y: Double)]] = [[]]
            for p in s.points {
                if p.x.isFinite && p.y.isFinite && (y.scale == .linear || p.y > 0) {
                    runs[runs.count - 1].append((x: frame.px(x.fraction(p.x)), y: frame.py(y.fraction(p.y))))
                } else if !(runs.last ?? []).isEmpty {
                    runs.append([])
                }
            }
            for run in runs { svg.polyline(run, stroke: s.color, width: 1.8, dash: s.dash, clip: clip, label: s.name) }
            let mapped = runs.flatMap { $0 }
            if s.markers {
                for p in mapped where p.x >= frame.x && p.x <= frame.x + frame.width && p.y >= frame.y && p.y <= frame.y + frame.height {
                    svg.circle(x: p.x, y: p.y, radius: 2.6, fill: s.color)
                }
            }
            for (point, bar) in zip(s.points, s.errorBars) where bar.low.isFinite && bar.high.isFinite {
                let px = frame.px(x.fraction(point.x))
                let low = frame.py(y.fraction(bar.low)), high = frame.py(y.fraction(bar.high))
                svg.line(x1: px, y1: low, x2: px, y2: high, stroke: s.color, width: 1.2)
            }
        }
        if legend {
            var entries: [LegendEntry] = []
            for s in series where !entries.contains(where: { $0.label == s.name }) {
                entries.append(LegendEntry(label: s.name, color: s.color, symbol: .line(dash: s.dash)))
            }
            svg.legend(entries, in: frame)
        }
    }
}

/// Grouped bars with 95% error bars (Figure 2: test accuracy of each optimizer per model).
public struct BarChart: Sendable {
    /// One bar: its value and its interval (nil: no error bar); nil value: no bar.
    public struct Bar: Sendable, Equatable {
        /// Height.
        public var value: Double
        /// Error bar ends.
        public var low: Double?, high: Double?

        /// A bar.
        public init(value: Double, low: Double? = nil, high: Double? = nil) {
            self.value = value
            self.low = low
            self.high = high
        }
    }

    /// Chart title.
    public var title: String
    /// Group labels along x (models).
    public var groups: [String]
    /// Series (optimizers) with their colours; `bars[g][s]`.
    public var seriesNames: [String], colors: [String]
    /// The bars, by group then series.
    public var bars: [[Bar?]]
    /// Value axis.
    public var y: PlotAxis
    /// A note under each bar (e.g. "+3.1" vs the baseline), by group then series.
    public var annotations: [[String?]] = []

    /// A chart.
    public init(
        title: String, groups: [String], seriesNames: [String], colors: [String], bars: [[Bar?]], y: PlotAxis,
        annotations: [[String?]] = []
    ) {
        self.title = title
        self.groups = groups
        self.seriesNames = seriesNames
        self.colors = colors
        self.bars = bars
        self.y = y
        self.annotations = annotations
    }

    /// Draws into `frame` of `svg` (an empty title draws none).
    public func draw(into svg: inout SVGDocument, frame: PlotFrame) {
        let groupWidth = frame.width / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(seriesNames.count, 1))
        svg.axes(frame, x: nil, y: y, title: title.isEmpty ? nil : title,
                 xCategories: groups.enumerated().map { (frame.x + (Double($0.offset) + 0.5) * groupWidth, $0.element) })
        let base = frame.py(max(0, min(1, y.fraction(max(y.lower, min(0, y.upper))))))
        for (g, row) in bars.enumerated() {
            for (s, bar) in row.enumerated() {
                guard let bar, bar.value.isFinite else { continue }
                let x = frame.x + Double(g) * groupWidth + groupWidth * 0.1 + Double(s) * barWidth
                let top = frame.py(max(0, min(1, y.fraction(bar.value))))
                svg.comment("bar \(groups[g]) \(seriesNames[s]) = \(bar.value)")
                svg.rect(x: x + 1, y: min(top, base), width: barWidth - 2, height: abs(base - top), fill: colors[s])
                if let low = bar.low, let high = bar.high, low.isFinite, high.isFinite {
                    let cx = x + barWidth / 2
                    let yl = frame.py(max(0, min(1, y.fraction(low)))), yh = frame.py(max(0, min(1, y.fraction(high))))
                    svg.line(x1: cx, y1: yl, x2: cx, y2: yh, stroke: "#111111", width: 1.3)
                    svg.line(x1: cx - barWidth * 0.2, y1: yl, x2: cx + barWidth * 0.2, y2: yl, stroke: "#111111", width: 1.3)
                    svg.line(x1: cx - barWidth * 0.2, y1: yh, x2: cx + barWidth * 0.2, y2: yh, stroke: "#111111", width: 1.3)
                }
                if g < annotations.count, s < annotations[g].count, let note = annotations[g][s] {
                    svg.text(note, x: x + barWidth / 2, y: frame.y + frame.height - 8, size: 12, anchor: "middle", weight: "bold",
                             fill: "#ffffff")
                }
            }
        }
        svg.legend(zip(seriesNames, colors).map { LegendEntry(label: $0, color: $1, symbol: .box) }, in: frame,
                   origin: (frame.x + frame.width + 12, frame.y))
    }
}

/// Values on a regular grid as colours, with contour lines and a colour bar (2-D loss surfaces).
public struct Heatmap: Sendable {
    /// Chart title.
    public var title: String
    /// Grid coordinates: `z[i][j]` is the value at (x[j], y[i]).
    public var x: [Double], y: [Double]
    /// Values.
    public var z: [[Double]]
    /// Axis titles.
    public var xLabel: String, yLabel: String, zLabel: String
    /// Contour levels (empty: none).
    public var levels: [Double] = []

    /// A heat map.
    public init(title: String, x: [Double], y: [Double], z: [[Double]], xLabel: String, yLabel: String, zLabel: String, levels: [Double] = []) {
        self.title = title
        self.x = x
        self.y = y
        self.z = z
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.zLabel = zLabel
        self.levels = levels
    }

    /// Draws into `frame` (plus a colour bar to its right).
    public func draw(into svg: inout SVGDocument, frame: PlotFrame) {
        let values = z.flatMap { $0 }.filter(\.isFinite)
        let low = values.min() ?? 0, high = max(values.max() ?? 1, (values.min() ?? 0) + 1e-12)
        let xAxis = PlotAxis(label: xLabel, lower: x.first ?? 0, upper: x.last ?? 1)
        let yAxis = PlotAxis(label: yLabel, lower: y.first ?? 0, upper: y.last ?? 1)
        // Cells centred on the grid points (the outer ones half cells, so the grid fills the frame).
        for i in y.indices {
            for j in x.indices {
                let v = z[i][j]
                let x0 = j == 0 ? x[0] : (x[j - 1] + x[j]) / 2, x1 = j == x.count - 1 ? x[j] : (x[j] + x[j + 1]) / 2
                let y0 = i == 0 ? y[0] : (y[i - 1] + y[i]) / 2, y1 = i == y.count - 1 ? y[i] : (y[i] + y[i + 1]) / 2
                let px0 = frame.px(xAxis.fraction(x0)), px1 = frame.px(xAxis.fraction(x1))
                let py0 = frame.py(yAxis.fraction(y1)), py1 = frame.py(yAxis.fraction(y0))
                let color = v.isFinite ? Colormap.viridis((v - low) / (high - low)) : "#cccccc"
                svg.rect(x: px0, y: py0, width: px1 - px0 + 0.6, height: py1 - py0 + 0.6, fill: color)
            }
        }
        for level in levels {
            for segment in Contours.segments(x: x, y: y, z: z, level: level) {
                svg.line(x1: frame.px(xAxis.fraction(segment.0.x)), y1: frame.py(yAxis.fraction(segment.0.y)),
                         x2: frame.px(xAxis.fraction(segment.1.x)), y2: frame.py(yAxis.fraction(segment.1.y)),
                         stroke: "#ffffff", width: 0.9)
            }
        }
        // The checkpoint itself.
        let cx = frame.px(xAxis.fraction(0)), cy = frame.py(yAxis.fraction(0))
        svg.line(x1: cx - 6, y1: cy, x2: cx + 6, y2: cy, stroke: "#ff3030", width: 2)
        svg.line(x1: cx, y1: cy - 6, x2: cx, y2: cy + 6, stroke: "#ff3030", width: 2)
        svg.axes(frame, x: xAxis, y: yAxis, title: title, grid: false)
        // Colour bar.
        let bar = PlotFrame(x: frame.x + frame.width + 18, y: frame.y, width: 14, height: frame.height)
        let steps = 64
        for k in 0..<steps {
            let f0 = Double(k) / Double(steps)
            svg.rect(x: bar.x, y: bar.py(f0 + 1 / Double(steps)), width: bar.width, height: bar.height / Double(steps) + 0.5,
                     fill: Colormap.viridis(f0 + 0.5 / Double(steps)))
        }
        svg.rect(x: bar.x, y: bar.y, width: bar.width, height: bar.height, stroke: "#444444")
        let zAxis = PlotAxis(label: zLabel, lower: low, upper: high)
        for tick in zAxis.ticks {
            let py = bar.py(zAxis.fraction(tick.value))
            svg.line(x1: bar.x + bar.width, y1: py, x2: bar.x + bar.width + 4, y2: py, stroke: "#444444")
            svg.text(tick.label, x: bar.x + bar.width + 6, y: py + 4, size: 10)
        }
        svg.text(zLabel, x: bar.x + bar.width / 2, y: bar.y - 8, size: 11, anchor: "middle")
    }
}

/// Colour scales.
public enum Colormap {
    /// Anchor colours of matplotlib's viridis at 0, 0.125, ..., 1 (public-domain colour data).
    static let viridisAnchors: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141), (39, 173, 129), (92, 200, 99),
        (170, 220, 50), (253, 231, 37),
    ]

    /// Viridis at `t` in [0, 1] (clamped), as `#rrggbb`.
    public static func viridis(_ t: Double) -> String {
        let t = t.isFinite ? max(0, min(1, t)) : 0
        let position = t * Double(viridisAnchors.count - 1)
        let i = min(Int(position), viridisAnchors.count - 2), f = position - Double(i)
        let a = viridisAnchors[i], b = viridisAnchors[i + 1]
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Fixed colours per optimizer (the same in every figure), else a palette by position.
    public static func optimizer(_ name: String, index: Int = 0) -> String {
        let fixed = ["adam": "#555555", "sam": "#1f77b4", "asam": "#ff7f0e", "gsam": "#2ca02c", "wsam": "#d62728",
                     "crsam": "#9467bd", "sgd": "#8c564b", "adamw": "#e377c2"]
        if let color = fixed[name] { return color }
        let palette = ["#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78"]
        return palette[index % palette.count]
    }
}

/// Contour lines by marching squares.
enum Contours {
    /// Line segments where the bilinear interpolation of `z` crosses `level`.
    static func segments(x: [Double], y: [Double], z: [[Double]], level: Double) -> [((x: Double, y: Double), (x: Double, y: Double))] {
        var out: [((x: Double, y: Double), (x: Double, y: Double))] = []
        guard x.count >= 2, y.count >= 2 else { return out }
        for i in 0..<(y.count - 1) {
            for j in 0..<(x.count - 1) {
                // Corners counter-clockwise from bottom-left: (j,i), (j+1,i), (j+1,i+1), (j,i+1).
                let corners = [(x[j], y[i], z[i][j]), (x[j + 1], y[i], z[i][j + 1]), (x[j + 1], y[i + 1], z[i + 1][j + 1]),
                               (x[j], y[i + 1], z[i + 1][j])]
                guard corners.allSatisfy({ $0.2.isFinite }) else { continue }
                var crossings: [(x: Double, y: Double)] = []
                for k in 0..<4 {
                    let a = corners[k], b = corners[(k + 1) % 4]
                    if (a.2 < level) != (b.2 < level) {
                        let t = (level - a.2) / (b.2 - a.2)
                        crossings.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)))
                    }
                }
                if crossings.count == 2 {
                    out.append((crossings[0], crossings[1]))
                } else if crossings.count == 4 {  // saddle: pair by the centre value
                    let centre = corners.map(\.2).reduce(0, +) / 4
                    if (centre < level) == (corners[0].2 < level) {
                        out.append((crossings[0], crossings[3]))
                        out.append((crossings[1], crossings[2]))
                    } else {
                        out.append((crossings[0], crossings[1]))
                        out.append((crossings[2], crossings[3]))
                    }
                }
            }
        }
        return out
    }
}
