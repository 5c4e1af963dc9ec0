import Foundation

/// Why `sharp import` refused a file. Every case is one line naming the file and the fix; nothing
/// has been written when one is thrown.
public enum ImportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The weights file is missing or unreadable.
    case unreadable(path: String, reason: String)
    /// A pickle, a `torch.save` zip or another non-safetensors file.
    case notSafetensors(path: String, found: String)
    /// A compressed file (gzip, zstd): perhaps safetensors inside.
    case compressed(path: String, format: String)
    /// The safetensors file itself is malformed (the reader's own one-line reason).
    case malformed(reason: String)
    /// The weights do not fit the named zoo model.
    case mismatch(path: String, model: String, details: String, suggestion: String?)
    /// A flag contradicts the weights or the data.
    case inconsistent(String)
    /// The store already holds a checkpoint of that name.
    case exists(path: String)

    /// The export that turns a PyTorch model or a saved state dict into safetensors, on one line.
    public static func exportRecipe(for path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return "export it in Python from the model: `safetensors.torch.save_file(model.state_dict(), \"model.safetensors\")`; "
            + "or, if \(name) holds a state dict: `import torch, safetensors.torch` then "
            + "`safetensors.torch.save_file({k: v.contiguous() for k, v in torch.load(\"\(name)\", weights_only=True).items()}, \"model.safetensors\")` "
            + "(docs/importing.md)"
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): \(reason)"
        case .notSafetensors(let path, let found):
            return "\(path): \(found), not safetensors; Sharp never unpickles files (arbitrary code could run); "
                + Self.exportRecipe(for: path)
        case .compressed(let path, let format):
            return "\(path): a \(format)-compressed file, not safetensors; decompress it first (for example `\(format == "gzip" ? "gunzip -k" : "zstd -d")` \((path as NSString).lastPathComponent)`)"
        case .malformed(let reason):
            return reason
        case .mismatch(let path, let model, let details, let suggestion):
            return "\(path): the weights do not fit \(model): \(details)"
                + (suggestion.map { "; they look like \($0) (--model \($0))" } ?? "; check --model")
        case .inconsistent(let message):
            return message
        case .exists(let path):
            return "\(path) already exists; pass another --run-id or --epoch, or remove it first"
        }
    }
}
