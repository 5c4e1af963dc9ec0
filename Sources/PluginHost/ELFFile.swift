import Foundation

/// What the host reads from a shared library before it dlopens it: the exported dynamic symbols
/// and the `.comment` strings (where compilers record themselves, e.g. "clang version 21.0.0
/// (https://github.com/swiftlang/llvm-project.git 11673e66…)" for everything swiftc built).
///
/// Checking these first means a library that is not a plugin, or a plugin of another ABI or
/// toolchain, is never mapped into the process: its initialisers do not run.
struct ELFFile {
    /// Names of defined dynamic symbols.
    let dynamicSymbols: [String]
    /// NUL-separated strings of the `.comment` section.
    let comments: [String]

    /// Reads an ELF64 little-endian file; nil if it is not one.
    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
              bytes[4] == 2, bytes[5] == 1 else { return nil }  // ELFCLASS64, ELFDATA2LSB
        let reader = Reader(bytes: bytes)
        guard let sections = reader.sections() else { return nil }
        var symbols: [String] = []
        var comments: [String] = []
        for s in sections {
            if s.type == 11, s.link < sections.count, s.entrySize >= 24 {  // SHT_DYNSYM; names in section `link`
                let strings = sections[s.link]
                var offset = s.offset
                while offset + 24 <= s.offset + s.size {
                    let nameOffset = reader.u32(offset)
                    let sectionIndex = reader.u16(offset + 6)
                    if sectionIndex != 0, let name = reader.cString(strings.offset + Int(nameOffset), limit: strings.offset + strings.size) {
                        symbols.append(name)
                    }
                    offset += s.entrySize
                }
            }
            if s.name == ".comment" {
                comments += reader.strings(from: s.offset, count: s.size)
            }
        }
        dynamicSymbols = symbols
        self.comments = comments
    }

    private struct Section {
        var name: String
        let type: UInt32
        let offset: Int
        let size: Int
        let link: Int
        let entrySize: Int
    }

    private struct Reader {
        let bytes: [UInt8]

        func u16(_ o: Int) -> Int { o + 2 <= bytes.count ? Int(bytes[o]) | Int(bytes[o + 1]) << 8 : 0 }
        func u32(_ o: Int) -> UInt32 { o + 4 <= bytes.count ? (0..<4).reduce(0) { $0 | UInt32(bytes[o + $1]) << (8 * $1) } : 0 }
        func u64(_ o: Int) -> Int { o + 8 <= bytes.count ? Int(truncatingIfNeeded: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[o + $1]) << (8 * UInt64($1)) }) : 0 }

        func cString(_ start: Int, limit: Int) -> String? {
            guard start >= 0, start < min(limit, bytes.count) else { return nil }
            var end = start
            while end < min(limit, bytes.count), bytes[end] != 0 { end += 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        func strings(from start: Int, count: Int) -> [String] {
            guard start >= 0, count >= 0, start + count <= bytes.count else { return [] }
            return bytes[start..<start + count].split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        }

        /// Section headers, with names resolved through the section-name string table.
        func sections() -> [Section]? {
            let headerOffset = u64(0x28), headerSize = u16(0x3A), count = u16(0x3C), namesIndex = u16(0x3E)
            guard headerOffset > 0, headerSize >= 64, count > 0, namesIndex < count,
                  headerOffset + count * headerSize <= bytes.count else { return nil }
            var out: [Section] = []
            var nameOffsets: [Int] = []
            for i in 0..<count {
                let h = headerOffset + i * headerSize
                let s = Section(name: "", type: u32(h + 4), offset: u64(h + 24), size: u64(h + 32), link: Int(u32(h + 40)), entrySize: u64(h + 56))
                guard s.type == 8 || (s.offset >= 0 && s.size >= 0 && s.offset + s.size <= bytes.count) else { return nil }  // 8: NOBITS
                out.append(s)
                nameOffsets.append(Int(u32(h)))
            }
            let names = out[namesIndex]
            for i in out.indices {
                out[i].name = cString(names.offset + nameOffsets[i], limit: names.offset + names.size) ?? ""
            }
            return out
        }
    }
}
