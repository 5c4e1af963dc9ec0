import Foundation

/// How numbers become text: exactly (CSV, TSV; JSON numbers are JSONWriter's) or rounded for people (tables, Markdown).
public enum NumberText {
    /// The shortest decimal that reads back as the same double (Swift's description, as exact
    /// as `%.17g`): `0.0001`, `1e-05`, `18202.65`. Non-finite values: `NaN`, `inf`, `-inf`
    /// (Python's `float()` reads all three).
    public static func exact(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return value.description
    }

    /// Six significant digits (`%.6g`), for tables.
    public static func rounded(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.6g", value)
    }

    /// Fixed decimals scaled to the interval, for `mean ± half-width` cells: enough digits to
    /// show the half-width to three significant figures (`2.00 ± 2.48`).
    public static func withInterval(_ mean: Double, _ halfWidth: Double?) -> String {
        guard let halfWidth, halfWidth.isFinite, halfWidth > 0 else { return rounded(mean) }
        let decimals = max(0, min(10, 2 - Int(floor(log10(halfWidth)))))
        return String(format: "%.\(decimals)f ± %.\(decimals)f", mean, halfWidth)
    }
}
