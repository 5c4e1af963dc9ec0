import Charts
import Foundation
import PluginHost
import Scoring
import Tensor

/// Loss-landscape slices around a checkpoint (Li et al. 2018, "Visualizing the Loss Landscape of
/// Neural Nets"): the loss at w + α·d (1-D) and w + α·d₁ + β·d₂ (2-D) along random directions,
/// each **filter-normalised** so that slices of different networks, or of differently scaled
/// weights, are comparable:
///
/// - a direction starts as i.i.d. N(0, 1) per parameter (seeded, one stream per direction);
/// - in every parameter tensor of rank ≥ 2 each filter — a slice along the first axis: an output
///   channel of a convolution, a row (output unit) of a linear layer, a whole embedding table when
///   its first axis is 1 — is rescaled to the norm of the same filter of the weights,
///   d_f ← d_f · ‖w_f‖ / ‖d_f‖;
/// - rank-0/1 tensors (biases, BatchNorm and LayerNorm scales and shifts) get a zero direction,
///   Li et al.'s "ignore biasbn" choice: they stay at the checkpoint's values.
///
/// Losses come from `Scoring.EvaluationContext` (the model in evaluation mode over the context's
/// evaluation subset, batch-weighted Float64 means), so α = 0 is exactly the checkpoint's loss.
public struct LossLandscape {
    /// The checkpoint, its data and its loss callback.
    public let context: EvaluationContext

    /// Slices of the checkpoint behind `context`.
    public init(context: EvaluationContext) {
        self.context = context
    }

    /// A filter-normalised random direction in the layout order of `context.weights`; `stream`
    /// tells independent directions of one seed apart.
    public func direction(seed: UInt64, stream: UInt64 = 0) -> [Double] {
        Self.filterNormalizedDirection(weights: context.weights, layout: context.subject.layout, seed: seed, stream: stream)
    }

    /// See the type's documentation.
    public static func filterNormalizedDirection(weights: [Double], layout: [ParameterLayoutEntry], seed: UInt64, stream: UInt64)
        -> [Double]
    {
        var random = RandomGenerator(seed: seed, stream: stream)
        let raw = random.normal(shape: [weights.count], dtype: .float64).doubles
        var direction = [Double](repeating: 0, count: weights.count)
        var offset = 0
        for entry in layout {
            let count = entry.shape.reduce(1, *)
            defer { offset += count }
            guard entry.shape.count >= 2, let filters = entry.shape.first, filters > 0 else { continue }
            let size = count / filters
            for f in 0..<filters {
                let start = offset + f * size
                var dNorm = 0.0, wNorm = 0.0
                for i in start..<(start + size) {
                    dNorm += raw[i] * raw[i]
                    wNorm += weights[i] * weights[i]
                }
                let scale = dNorm > 0 ? (wNorm / dNorm).squareRoot() : 0
                for i in start..<(start + size) { direction[i] = raw[i] * scale }
            }
        }
        return direction
    }

    /// One point of a slice.
    public struct Point: Sendable, Equatable {
        /// Step along the first (and second) direction.
        public var alpha: Double, beta: Double
        /// Mean cross-entropy and accuracy on the evaluation subset.
        public var loss: Double, accuracy: Double
    }

    /// The loss at w + Σ coefficients[k]·directions[k].
    public func loss(_ directions: [[Double]], _ coefficients: [Double]) throws -> (loss: Double, accuracy: Double) {
        var point = context.weights
        for (d, c) in zip(directions, coefficients) where c != 0 {
            for i in point.indices { point[i] += c * d[i] }
        }
        return try point.withUnsafeBufferPointer { try context.loss(context.evaluationBatches, at: $0) }
    }

    /// The 1-D slice along `direction` at `alphas`.
    public func slice(_ direction: [Double], alphas: [Double], progress: ((Int, Int) -> Void)? = nil) throws -> [Point] {
        try alphas.enumerated().map { i, a in
            let r = try loss([direction], [a])
            progress?(i + 1, alphas.count)
            return Point(alpha: a, beta: 0, loss: r.loss, accuracy: r.accuracy)
        }
    }

    /// The 2-D slice: `result[i][j]` is at (alphas[j], betas[i]).
    public func surface(_ first: [Double], _ second: [Double], alphas: [Double], betas: [Double], progress: ((Int, Int) -> Void)? = nil)
        throws -> [[Point]]
    {
        var done = 0
        return try betas.map { b in
            try alphas.map { a in
                let r = try loss([first, second], [a, b])
                done += 1
                progress?(done, alphas.count * betas.count)
                return Point(alpha: a, beta: b, loss: r.loss, accuracy: r.accuracy)
            }
        }
    }

    /// `count` evenly spaced values over [-extent, extent] (0 included when count is odd).
    public static func grid(extent: Double, count: Int) -> [Double] {
        guard count > 1 else { return [0] }
        return (0..<count).map { -extent + 2 * extent * Double($0) / Double(count - 1) }
    }

    /// The figure: the 1-D slice (left) and, if given, the 2-D surface with contours (right).
    public static func figure(title: String, slices: [(name: String, color: String, points: [Point])], surface: [[Point]]?)
        -> SVGDocument
    {
        let width = surface == nil ? 640.0 : 1180.0
        var svg = SVGDocument(width: width, height: 470)
        let all = slices.flatMap(\.points)
        let x = PlotAxis.fitting(all.map(\.alpha), label: "α (filter-normalised direction)")
        // Losses far from the checkpoint are orders of magnitude above it: a log axis keeps the basin visible.
        let losses = all.map(\.loss).filter { $0.isFinite && $0 > 0 }
        let wide = (losses.max() ?? 1) > 50 * max(losses.min() ?? 1, 1e-12)
        let y = wide ? PlotAxis.fitting(losses, label: "loss (cross-entropy, log scale)", scale: .log10)
            : PlotAxis.fitting(all.map(\.loss), label: "loss (cross-entropy)", including: [0])
        var chart = LineChart(title: "1-D slice: L(w + α·d)", x: x, y: y,
                              series: slices.map { LineChart.Series(name: $0.name, color: $0.color, points: $0.points.map { (x: $0.alpha, y: $0.loss) }, markers: true) })
        chart.markers = [(0, "checkpoint")]
        chart.draw(into: &svg, frame: PlotFrame(x: 80, y: 70, width: 500, height: 330))
        if let surface, let firstRow = surface.first {
            // Colours and contours on log10(loss) when the surface spans orders of magnitude.
            let all = surface.flatMap { $0.map(\.loss) }.filter { $0.isFinite && $0 > 0 }
            let logScale = (all.max() ?? 1) > 50 * max(all.min() ?? 1, 1e-12)
            let z = surface.map { row in row.map { logScale ? ($0.loss > 0 ? Foundation.log10($0.loss) : .nan) : $0.loss } }
            var map = Heatmap(title: "2-D slice: L(w + α·d₁ + β·d₂)", x: firstRow.map(\.alpha), y: surface.map { $0[0].beta },
                              z: z, xLabel: "α (d₁)", yLabel: "β (d₂)", zLabel: logScale ? "log10 loss" : "loss")
            let values = z.flatMap { $0 }.filter(\.isFinite)
            if let low = values.min(), let high = values.max(), high > low {
                let axis = PlotAxis.fitting([low, high], label: "")
                let step = PlotAxis.niceStep((high - low) / 12)
                var level = (axis.lower / step).rounded(.up) * step
                while level < high {
                    if level > low { map.levels.append(level) }
                    level += step
                }
            }
            map.draw(into: &svg, frame: PlotFrame(x: 690, y: 70, width: 400, height: 330))
        }
        svg.text(title, x: width / 2, y: 24, size: 15, anchor: "middle", weight: "bold")
        return svg
    }
}
