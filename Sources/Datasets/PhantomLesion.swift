import Foundation

/// The lesion of one phantom: shape, echo texture and acoustic effects, drawn from
/// class-conditional distributions that overlap on purpose.
///
/// Every class-dependent feature is `0.8·s + 0.6·ε` mapped through a fixed curve, where `s` is
/// one latent suspicion per image (benign N(−1.3, 1), malignant N(+1.3, 1)) and `ε` is the
/// feature's own noise. A classifier can at best recover `s`, so no model can exceed the Bayes
/// accuracy of the latent (about 91% with the default class counts); each feature alone
/// separates the classes far less, and the own noise makes some benign lesions look worse than
/// some malignant ones on any single feature.
struct PhantomLesion {
    /// Number of angles in the margin's radius table.
    static let angleCount = 256

    /// Centre (normalised x, depth) and semi-axes (normalised) of the ellipse before tilt.
    var centerX: Double, centerY: Double, semiAxisX: Double, semiAxisY: Double
    /// Rotation of the ellipse in radians (positive: clockwise on screen).
    var tilt: Double
    /// Margin radius (normalised units) at `angleCount` angles in the lesion's own frame.
    var radius: [Float]
    /// Width of the margin transition in pixels at 64×64 (scaled with the image size).
    var softness: Double
    /// Interior echo amplitude relative to the gland, and its relative spread.
    var echogenicity: Double, heterogeneity: Double
    /// Strength of an echogenic halo (malignant sign) and a thin capsule line (benign sign).
    var halo: Double, capsule: Double
    /// Amplitude factor behind the lesion (>1 enhancement, <1 shadowing) and lateral edge shadows.
    var posteriorFactor: Double, edgeShadow: Double
    /// Calcifications: positions as (radius fraction, angle) in the lesion frame.
    var calcifications: [(fraction: Double, angle: Double)]
    /// Latent suspicion, aspect ratio, spicule count, and margin irregularity (for ground truth).
    var suspicion: Double, aspectRatio: Double, spiculeCount: Int, irregularity: Double

    /// Draws the lesion of a phantom with class `label` (0 benign, 1 malignant), placed in the
    /// gland layer of `anatomy`.
    init(label: Int, anatomy: PhantomAnatomy, _ d: inout RandomDraws) {
        func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        let s = (label == 1 ? 1.3 : -1.3) + d.normal()
        func feature() -> Double { 0.8 * s + 0.6 * d.normal() }
        suspicion = s

        aspectRatio = min(max(exp(-0.12 + 0.38 * feature()), 0.35), 2.2)
        let irregular = 0.015 + 0.17 * sigmoid(1.8 * feature() - 0.2)
        let spiculation = feature()
        let spicules = max(0, Int((7 * sigmoid(2 * spiculation - 1.6) - 0.8 + d.uniform(-0.5, 0.5)).rounded()))
        let margin = feature()
        softness = 0.35 + 1.4 * sigmoid(1.5 * margin)
        edgeShadow = 0.6 * sigmoid(-1.8 * margin - 1.0)
        posteriorFactor = min(max(exp(-0.1 - 0.65 * feature()), 0.15), 3)
        heterogeneity = 0.08 + 0.5 * sigmoid(1.6 * feature())
        echogenicity = min(max(0.22 * exp(-0.4 * feature()), 0.04), 0.8)
        let rim = feature()
        halo = 0.9 * sigmoid(2 * rim - 1.5)
        capsule = 0.9 * sigmoid(-2 * rim - 1.5)
        let calcified = feature() > 1.2
        tilt = d.normal() * (0.08 + 0.25 * sigmoid(feature()))

        // Size does not depend on the class; the shape keeps the area of a circle of diameter D.
        let diameter = d.uniform(0.22, 0.42)
        semiAxisX = diameter / 2 / aspectRatio.squareRoot()
        semiAxisY = diameter / 2 * aspectRatio.squareRoot()
        let margin2 = semiAxisX + 0.04
        centerX = d.uniform(max(margin2, 0.3), max(margin2, 0.3, min(1 - margin2, 0.7)))
        // The lesion starts in the gland; a tall one reaches down into muscle, as cancers invade.
        let fat = anatomy.fatBottom.depth(at: centerX)
        let gland = anatomy.glandBottom.depth(at: centerX)
        let top = fat - 0.01 + d.uniform(0, 0.4) * max(gland - fat - 2 * semiAxisY, 0.02)
        centerY = min(top + semiAxisY, 0.93 - semiAxisY)
        centerY = max(centerY, anatomy.skinDepth + 0.06 + semiAxisY)

        (radius, irregularity) = Self.margin(
            semiAxisX, semiAxisY, irregular: irregular, spicules: spicules, &d)
        spiculeCount = spicules
        let calcificationCount = calcified ? Int(d.uniform(1, 4.999)) : 0
        calcifications = (0..<calcificationCount).map { _ in (d.uniform().squareRoot() * 0.7, d.uniform(0, 2 * .pi)) }
    }

    /// cos and sin of the table's angles 2πj/angleCount.
    static let cosines = (0..<angleCount).map { cos(2 * Double.pi * Double($0) / Double(angleCount)) }
    static let sines = (0..<angleCount).map { sin(2 * Double.pi * Double($0) / Double(angleCount)) }

    /// The margin radius table: ellipse × (1 + lobulation + angular irregularity + spicules),
    /// and the RMS relative deviation of that shape from the ellipse.
    private static func margin(
        _ a: Double, _ b: Double, irregular: Double, spicules: Int, _ d: inout RandomDraws
    ) -> ([Float], Double) {
        let lobes = (2...4).map { _ in (d.uniform(0, 0.045), d.uniform(0, 2 * .pi)) }
        var weights = (5...13).map { _ in (d.uniform(0.3, 1), d.uniform(0, 2 * .pi)) }
        let norm = (2 / weights.reduce(0) { $0 + $1.0 * $1.0 }).squareRoot()
        weights = weights.map { ($0.0 * norm * irregular, $0.1) }  // RMS of the sum is `irregular`
        let spikes = (0..<spicules).map { _ in (d.uniform(0, 2 * .pi), d.uniform(0.25, 0.6), d.uniform(0.07, 0.14)) }
        // cos(kθ + φ) = cos kθ · cos φ − sin kθ · sin φ, with kθ read from one table of angles.
        let (cosines, sines) = (Self.cosines, Self.sines)
        let orders = Array(2...4) + Array(5...13)
        let harmonics = zip(orders, lobes + weights).map { ($0, $1.0 * cos($1.1), $1.0 * sin($1.1)) }
        var relative = [Double](repeating: 1, count: angleCount)
        for j in 0..<angleCount {
            var rho = 1.0
            for (order, a, b) in harmonics {
                let k = order * j % angleCount
                rho += a * cosines[k] - b * sines[k]
            }
            let theta = 2 * Double.pi * Double(j) / Double(angleCount)
            for spike in spikes {
                var delta = abs(theta - spike.0)
                delta = min(delta, 2 * .pi - delta)
                let t = max(0, 1 - delta / spike.2)
                rho += spike.1 * t * t
            }
            relative[j] = max(rho, 0.4)
        }
        let mean = relative.reduce(0, +) / Double(angleCount)
        let rms = (relative.reduce(0) { $0 + ($1 / mean - 1) * ($1 / mean - 1) } / Double(angleCount)).squareRoot()
        let table = relative.indices.map { j -> Float in
            let (c, s) = (b * cosines[j], a * sines[j])
            return Float(a * b / (c * c + s * s).squareRoot() * relative[j])
        }
        return (table, rms)
    }
}
