import CSharpPlugin

/// An error a plugin reports to the host: an ABI status code plus a one-line message.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    /// `SHARP_ERROR_*`.
    public let code: Int32
    /// One line, shown to the user with the plugin's name.
    public let message: String

    /// An error with an explicit status code.
    public init(code: Int32, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Bad hyperparameters, layout, element type or state tensors.
    public static func invalidArgument(_ message: String) -> PluginError { PluginError(code: SHARP_ERROR_INVALID_ARGUMENT, message) }
    /// The plugin does not implement the requested entry point.
    public static func unsupported(_ message: String) -> PluginError { PluginError(code: SHARP_ERROR_UNSUPPORTED, message) }
    /// A non-finite value the plugin cannot continue from.
    public static func numerical(_ message: String) -> PluginError { PluginError(code: SHARP_ERROR_NUMERICAL, message) }
    /// A host callback failed; the host keeps the reason, so the message only says where.
    public static func callbackFailed(_ message: String) -> PluginError { PluginError(code: SHARP_ERROR_CALLBACK, message) }

    /// The message.
    public var description: String { message }
}

/// Runs `body`, turning a thrown error into a status code and a message in the host's buffer.
/// Swift errors must never unwind through C frames, so every C entry point goes through this.
func reportingErrors(_ message: UnsafeMutablePointer<sharp_message_v1>?, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return SHARP_OK
    } catch let failure as PluginError {
        write(failure.message, to: message)
        return failure.code
    } catch {
        write(String(describing: error), to: message)
        return SHARP_ERROR_INTERNAL
    }
}

/// Copies `text` into a message buffer, truncated to its capacity at a character boundary.
func write(_ text: String, to message: UnsafeMutablePointer<sharp_message_v1>?) {
    guard let message, let buffer = message.pointee.text, message.pointee.capacity > 0 else { return }
    var bytes = Array(text.utf8.prefix(message.pointee.capacity - 1))
    // Do not leave half a UTF-8 sequence at the end.
    if bytes.count < text.utf8.count {
        while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
        if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }
    }
    bytes.withUnsafeBufferPointer { source in
        let raw = UnsafeMutableRawPointer(buffer)
        if let base = source.baseAddress { raw.copyMemory(from: base, byteCount: source.count) }
        raw.storeBytes(of: 0, toByteOffset: source.count, as: UInt8.self)
    }
}
