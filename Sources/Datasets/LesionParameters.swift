/// The ground truth of one `bus-synth` lesion: what the generator drew, and what it rendered.
///
/// Tests use these to check that the classes differ as specified (and overlap), and to find
/// the lesion in the image when measuring statistics from pixels.
public struct LesionParameters: Sendable, Equatable {
    /// Height over width of the lesion's ellipse before tilt and margin perturbation:
    /// below 1 is wider-than-tall (parallel, benign-looking), above 1 taller-than-wide.
    public var aspectRatio: Double
    /// Root-mean-square relative deviation of the rendered margin radius from the ellipse
    /// (lobulation, angular irregularity and spicules together); 0 is a perfect ellipse.
    public var marginIrregularity: Double
    /// Number of spicules on the margin.
    public var spiculeCount: Int
    /// Amplitude factor applied to echoes behind the lesion's thickest part: above 1 is
    /// posterior enhancement, below 1 acoustic shadowing.
    public var posteriorFactor: Double
    /// Standard deviation of the lesion's internal echogenicity relative to its mean.
    public var heterogeneity: Double
    /// Mean echo amplitude inside the lesion relative to the surrounding gland.
    public var relativeEchogenicity: Double
    /// Width of the margin's transition in pixels at 64×64 (sharp ≈ 0.4, indistinct ≈ 1.7).
    public var marginSoftness: Double
    /// Number of bright calcification specks inside the lesion.
    public var calcificationCount: Int
    /// The latent "suspicion" all class-dependent features are drawn around (benign centred
    /// at −1.3, malignant at +1.3, unit spread); it bounds how well any classifier can do.
    public var suspicion: Double
    /// Rows and columns the rendered lesion covers (mask above ½), in pixels, inclusive.
    public var top: Int, bottom: Int, left: Int, right: Int

    /// Bounding-box height over width of the rendered lesion, in pixels.
    public var renderedAspectRatio: Double { Double(bottom - top + 1) / Double(right - left + 1) }
}
