/// The deterministic draws the golden generators in `tools/` share with the Swift tests, so a
/// golden file can name a large tensor by a seed instead of holding its values.
public enum SplitMixRecipe {
    /// `count` values in [−1, 1): 2u − 1 with u = (splitmix64(seed + (i+1)·γ) >> 11)·2⁻⁵³, bit for
    /// bit the generators' `unit_uniform` (tools/gen_model_goldens.py, tools/gen_import_goldens.py).
    public static func unitUniform(seed: UInt64, count: Int) -> [Double] {
        (0..<count).map { i in
            var z = seed &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return 2 * (Double(z >> 11) * 0x1p-53) - 1
        }
    }
}
