import Index
import Foundation

/// One `--where` condition: `key OP value`. Conditions given together are ANDed; `key in a,b`
/// is the one way to say OR (docs/index-and-queries.md §4).
public struct Filter: Equatable, Sendable {
    /// Comparison operators, longest spelling first for parsing.
    public enum Operator: String, CaseIterable, Sendable {
        /// Not equal (also matches NaN metric values, as only `!=` should).
        case notEqual = "!="
        /// At most.
        case lessOrEqual = "<="
        /// At least.
        case greaterOrEqual = ">="
        /// Equal (`==` is accepted too).
        case equal = "="
        /// Less than.
        case less = "<"
        /// Greater than.
        case greater = ">"
        /// Member of a comma-separated list.
        case oneOf = "in"
    }

    /// The field, metric or hyperparameter name.
    public var key: String
    /// The comparison.
    public var op: Operator
    /// One value, or several for `in`.
    public var values: [String]

    /// Makes a condition.
    public init(key: String, op: Operator, values: [String]) {
        self.key = key
        self.op = op
        self.values = values
    }

    /// Parses `lambda_max>10`, `lr=1e-4`, `optimizer in sam,asam`, `model == vgg-mini`.
    public init(parsing text: String) throws {
        let bad = IndexError(
            .invalidQuery,
            "cannot read --where '\(text)': expected KEY=VALUE, KEY!=VALUE, KEY<VALUE, KEY<=VALUE, KEY>VALUE, KEY>=VALUE or 'KEY in A,B'"
        )
        let firstOperator = text.firstIndex(where: { "<>=!".contains($0) })
        if let range = text.range(of: " in ", options: .caseInsensitive),
            firstOperator.map({ $0 > range.lowerBound }) ?? true
        {
            let key = text[..<range.lowerBound].trimmingWhitespace
            let list = text[range.upperBound...].split(separator: ",").map { Substring($0).trimmingWhitespace }
            guard !key.isEmpty, !list.isEmpty, !list.contains(where: \.isEmpty) else { throw bad }
            self.init(key: key, op: .oneOf, values: list)
            return
        }
        guard let start = firstOperator else { throw bad }
        let rest = text[start...]
        var op: Operator = .equal
        var length = 1
        if rest.hasPrefix("==") {
            length = 2
        } else if let match = Operator.allCases.first(where: { $0 != .oneOf && rest.hasPrefix($0.rawValue) }) {
            op = match
            length = match.rawValue.count
        } else {
            throw bad
        }
        let key = text[..<start].trimmingWhitespace
        let value = rest.dropFirst(length).trimmingWhitespace
        guard !key.isEmpty, !value.isEmpty else { throw bad }
        self.init(key: key, op: op, values: [value])
    }
}

extension Substring {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

extension String {
    /// The number a filter value means, if it is a finite decimal number (`1e-4`, `10`, `-0.5`).
    var filterNumber: Double? {
        guard let value = Double(self), value.isFinite else { return nil }
        return value
    }
}
