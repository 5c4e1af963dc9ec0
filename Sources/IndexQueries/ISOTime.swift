import Index
import Foundation

/// ISO 8601 UTC text for the index's unix-second times (output), and parsing for filters.
public enum ISOTime {
    /// `2026-05-01T12:00:00Z`, or with milliseconds (`…00.250Z`) when the time has a fraction.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = Int(((seconds - Double(whole)) * 1000).rounded())
        if millis == 1000 { whole += 1 }
        var parts = tm()
        gmtime_r(&whole, &parts)
        // Zero-padded by hand: `String(format:)` is slow, and exports format millions of times.
        let base =
            padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-"
            + padded(Int(parts.tm_mday), 2) + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2)
            + ":" + padded(Int(parts.tm_sec), 2)
        return millis == 0 || millis == 1000 ? base + "Z" : base + "." + padded(millis, 3) + "Z"
    }

    /// `value` in decimal with leading zeros up to `width` digits (as `%0*d` for non-negative values).
    private static func padded(_ value: Int, _ width: Int) -> String {
        guard value >= 0 else { return String(format: "%0\(width)d", value) }
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Parses `2026-05-01`, `2026-05-01T12:00:00Z`, with fractional seconds or an offset.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
