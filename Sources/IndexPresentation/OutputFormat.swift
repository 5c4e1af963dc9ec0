import Foundation

/// `--format`. `auto` is a table on a terminal and TSV (full precision) in a pipe.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Table on a TTY, else TSV.
    case auto
    /// Aligned columns, numbers rounded to 6 significant digits.
    case table
    /// One JSON object: `rows` (objects), `count`, `total`, `truncated`, plus command metadata.
    case json
    /// One JSON object per row, one per line.
    case jsonl
    /// RFC 4180 CSV with a header; exact numbers; empty cell for missing.
    case csv
    /// Tab-separated with a header; exact numbers; tabs/newlines in text escaped as `\t`, `\n`.
    case tsv
    /// A GitHub Markdown table (rounded like `table`), to paste into a paper draft.
    case md

    /// The concrete format for `auto`.
    public func resolved(stdoutIsTerminal: Bool) -> OutputFormat {
        self == .auto ? (stdoutIsTerminal ? .table : .tsv) : self
    }
}

/// `--color`.
public enum ColorMode: String, CaseIterable, Sendable {
    /// Colour only on a terminal, and not when `NO_COLOR` is set (no-color.org) or `TERM=dumb`.
    case auto
    /// Always colour (overrides `NO_COLOR`, as an explicit flag should).
    case always
    /// Never colour.
    case never

    /// Whether to emit ANSI escapes.
    public func isEnabled(stdoutIsTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if environment["TERM"] == "dumb" { return false }
            return stdoutIsTerminal
        }
    }
}

/// A rendered result: what goes to stdout, and notes (truncation) for stderr.
public struct RenderedOutput: Equatable, Sendable {
    /// Data.
    public var stdout: String
    /// Notes for people; never data.
    public var stderr: String
}
