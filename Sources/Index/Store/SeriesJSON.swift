import Foundation
import JSON

/// `{"x":[…],"x_label":…,"y":[…],"y_label":…}`: the series format of the index (non-finite
/// numbers as null).
public enum SeriesJSON {
    /// The text of one series.
    public static func encode(x: [Double], y: [Double], xLabel: String, yLabel: String) -> String {
        JSONValue.object([
            "x": .array(x.map(JSONValue.number)), "x_label": .string(xLabel),
            "y": .array(y.map(JSONValue.number)), "y_label": .string(yLabel),
        ]).text
    }

    /// The numbers of a series text (nulls as NaN), nil when it is not one.
    public static func decode(_ text: String) -> (x: [Double], y: [Double])? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let x = object["x"] as? [Any], let y = object["y"] as? [Any], x.count == y.count
        else { return nil }
        func number(_ v: Any) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
        return (x.map(number), y.map(number))
    }
}
