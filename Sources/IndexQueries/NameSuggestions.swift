import Index
/// Closest-name suggestions for "unknown name" errors (MLflow issue 5341: fail loudly, and say
/// what would have worked).
public enum NameSuggestions {
    /// `valid` ordered by edit distance to `name` (prefix and substring matches count as close),
    /// ties by name, so the closest come first.
    public static func rank(_ name: String, among valid: [String]) -> [String] {
        let target = Array(name.lowercased())
        return valid.map { candidate -> (String, Int) in
            let lower = candidate.lowercased()
            var distance = editDistance(target, Array(lower))
            if !name.isEmpty, lower.hasPrefix(name.lowercased()) || lower.contains(name.lowercased()) {
                distance = min(distance, 1)
            }
            return (candidate, distance)
        }
        .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        .map(\.0)
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit (`trcae` → `trace`).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}

extension IndexError {
    /// "unknown metric 'trce'; did you mean 'trace'? Valid: ..." with suggestions closest first.
    static func unknown(_ what: String, _ name: String, valid: [String]) -> IndexError {
        let ranked = NameSuggestions.rank(name, among: valid)
        let shown = ranked.prefix(12).joined(separator: ", ")
        let more = ranked.count > 12 ? ", … (\(ranked.count) in all)" : ""
        let guess = ranked.first.map { "; did you mean '\($0)'?" } ?? ""
        return IndexError(.unknownName(suggestions: ranked), "unknown \(what) '\(name)'\(guess) Valid: \(shown)\(more)")
    }
}
