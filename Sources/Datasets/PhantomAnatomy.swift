import Foundation

/// A wavy tissue boundary: depth (0 = skin surface, 1 = bottom of the image) as a function of
/// the lateral position x in [0, 1], a base depth plus two sinusoids.
struct WavyBoundary {
    var base: Double
    var waves: [(amplitude: Double, frequency: Double, phase: Double)]

    /// A boundary around `base` with a long gentle wave and a shorter, smaller one.
    init(base: Double, roughness: Double, _ draws: inout RandomDraws) {
        self.base = base
        waves = [
            (roughness * draws.uniform(0.4, 1.0), draws.uniform(0.3, 1.2), draws.uniform()),
            (roughness * draws.uniform(0.1, 0.4), draws.uniform(1.5, 3.5), draws.uniform()),
        ]
    }

    /// Depth of the boundary at lateral position `x`.
    func depth(at x: Double) -> Double {
        waves.reduce(base) { $0 + $1.amplitude * sin(2 * Double.pi * ($1.frequency * x + $1.phase)) }
    }
}

/// The tissue layers of one phantom, from the skin down (docs/datasets.md §bus-synth), and the scanner
/// settings. Nothing here depends on the class: anatomy varies the same way for both.
struct PhantomAnatomy {
    /// Centre depth and thickness of the bright skin line.
    var skinDepth: Double, skinThickness: Double
    /// Lower edges of subcutaneous fat, fibroglandular tissue and pectoral muscle, and the pleura.
    var fatBottom: WavyBoundary, glandBottom: WavyBoundary, muscleBottom: WavyBoundary, pleura: WavyBoundary
    /// Mean echo amplitudes of skin, fat, gland, muscle, fascia lines and lung.
    var skinEcho: Double, fatEcho: Double, glandEcho: Double, muscleEcho: Double, fasciaEcho: Double, lungEcho: Double
    /// Relative amplitude of the gland's mottled texture and the muscle's striations.
    var glandTexture: Double, striation: Double, striationPeriod: Double, striationPhase: Double
    /// Cooper's ligaments crossing the fat: lateral start, slope, curvature, brightness.
    var ligaments: [(start: Double, slope: Double, curvature: Double, echo: Double)]
    /// A rib under the muscle: lateral centre, half-width and top depth (nil: no rib in view).
    var rib: (center: Double, halfWidth: Double, top: Double)?
    /// Net depth attenuation (amplitude ∝ exp(−α·depth) after time-gain compensation).
    var attenuation: Double
    /// Display gain in dB and log-compression dynamic range in dB.
    var gainDecibels: Double, dynamicRange: Double

    /// Draws the anatomy and scanner settings of one phantom.
    init(_ d: inout RandomDraws) {
        skinDepth = d.uniform(0.025, 0.045)
        skinThickness = d.uniform(0.012, 0.022)
        let fat = skinDepth + d.uniform(0.06, 0.2)
        let gland = min(fat + d.uniform(0.32, 0.5), 0.80)
        let muscle = gland + d.uniform(0.07, 0.13)
        fatBottom = WavyBoundary(base: fat, roughness: 0.035, &d)
        glandBottom = WavyBoundary(base: gland, roughness: 0.04, &d)
        muscleBottom = WavyBoundary(base: muscle, roughness: 0.02, &d)
        pleura = WavyBoundary(base: muscle + d.uniform(0.035, 0.06), roughness: 0.012, &d)
        skinEcho = d.uniform(1.5, 2.3)
        fatEcho = d.uniform(0.16, 0.28)
        glandEcho = d.uniform(0.8, 1.1)
        muscleEcho = d.uniform(0.38, 0.55)
        fasciaEcho = d.uniform(0.8, 1.5)
        lungEcho = d.uniform(0.08, 0.16)
        glandTexture = d.uniform(0.3, 0.55)
        striation = d.uniform(0.25, 0.5)
        striationPeriod = d.uniform(0.04, 0.06)
        striationPhase = d.uniform(0, 2 * Double.pi)
        let ligamentCount = Int(d.uniform(1, 4.999))
        ligaments = (0..<4).map { _ in
            (d.uniform(0, 1), d.uniform(-1.6, 1.6), d.uniform(-6, 6), d.uniform(0.5, 1.3))
        }
        ligaments.removeLast(4 - ligamentCount)
        let ribVisible = d.chance(0.55)
        let ribDraw = (d.uniform(0.12, 0.88), d.uniform(0.07, 0.15), d.uniform(-0.01, 0.015))
        rib = ribVisible ? (ribDraw.0, ribDraw.1, muscle + ribDraw.2) : nil
        attenuation = d.uniform(0.25, 1.1)
        gainDecibels = d.uniform(-3, 3)
        dynamicRange = d.uniform(44, 54)
    }
}
