/// Lets options that every subcommand takes come before the subcommand's name, as users type
/// them (`sharpq --store runs/ top --metric trace`, like `git -C DIR log`): ArgumentParser
/// only reads a subcommand's options after its name, so they are moved there.
public enum LeadingOptions {
    /// `arguments` (without the program name) with each leading `--name VALUE` or `--name=VALUE`
    /// in `names` moved to just after the first word that is not such an option.
    public static func movedAfterSubcommand(_ arguments: [String], names: Set<String>) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if names.contains(first), rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if let name = first.split(separator: "=", maxSplits: 1).first.map(String.init), first.contains("="), names.contains(name) {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !leading.isEmpty, let subcommand = rest.first, !subcommand.hasPrefix("-") else { return arguments }
        return [subcommand] + leading + rest.dropFirst()
    }
}
