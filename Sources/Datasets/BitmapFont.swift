/// A 5×7 pixel font for the labels of preview grids: A–Z, 0–9 and a little punctuation.
/// Lower case is drawn as upper case; any other character as `?`.
enum BitmapFont {
    /// Glyph cell width and height in font pixels (5×7 glyph plus one column of spacing).
    static let advance = 6, height = 7

    /// Seven rows of five bits per glyph, top row in the most significant byte, leftmost
    /// pixel in bit 4 of its row.
    static let glyphs: [Character: UInt64] = [
        "A": 0x0E11_111F_1111_11, "B": 0x1E11_111E_1111_1E, "C": 0x0E11_1010_1011_0E, "D": 0x1C12_1111_1112_1C,
        "E": 0x1F10_101E_1010_1F, "F": 0x1F10_101E_1010_10, "G": 0x0E11_1017_1111_0F, "H": 0x1111_111F_1111_11,
        "I": 0x0E04_0404_0404_0E, "J": 0x0702_0202_0212_0C, "K": 0x1112_1418_1412_11, "L": 0x1010_1010_1010_1F,
        "M": 0x111B_1515_1111_11, "N": 0x1111_1915_1311_11, "O": 0x0E11_1111_1111_0E, "P": 0x1E11_111E_1010_10,
        "Q": 0x0E11_1111_1512_0D, "R": 0x1E11_111E_1412_11, "S": 0x0F10_100E_0101_1E, "T": 0x1F04_0404_0404_04,
        "U": 0x1111_1111_1111_0E, "V": 0x1111_1111_110A_04, "W": 0x1111_1115_1515_0A, "X": 0x1111_0A04_0A11_11,
        "Y": 0x1111_110A_0404_04, "Z": 0x1F01_0204_0810_1F,
        "0": 0x0E11_1315_1911_0E, "1": 0x040C_0404_0404_0E, "2": 0x0E11_0102_0408_1F, "3": 0x1F02_0402_0111_0E,
        "4": 0x0206_0A12_1F02_02, "5": 0x1F10_1E01_0111_0E, "6": 0x0608_101E_1111_0E, "7": 0x1F01_0204_0808_08,
        "8": 0x0E11_110E_1111_0E, "9": 0x0E11_110F_0102_0C,
        " ": 0, "(": 0x0204_0808_0804_02, ")": 0x0804_0202_0204_08, "-": 0x0000_001F_0000_00,
        "_": 0x0000_0000_0000_1F, ".": 0x0000_0000_000C_0C, "=": 0x0000_1F00_1F00_00, ":": 0x000C_0C00_0C0C_00,
        "/": 0x0001_0204_0810_00, ",": 0x0000_0000_0C04_08, "%": 0x1819_0204_0813_03, "?": 0x0E11_0102_0400_04,
        "+": 0x0004_041F_0404_00, "#": 0x0A0A_1F0A_1F0A_0A,
    ]

    /// Whether font pixel (`column` 0..<5, `row` 0..<7) of `character` is set.
    static func isSet(_ character: Character, column: Int, row: Int) -> Bool {
        let upper = Character(character.uppercased())
        let bits = glyphs[upper] ?? glyphs["?"]!
        let rowBits = bits >> UInt64(8 * (6 - row)) & 0x1F
        return rowBits >> UInt64(4 - column) & 1 == 1
    }

    /// Width in font pixels of `text`.
    static func width(of text: String) -> Int { text.count * advance }

    /// Draws `text` into a row-major canvas of width `canvasWidth` with its top-left corner at
    /// (`x`, `y`), each font pixel a `scale × scale` square of `value`; clipped at the edges.
    static func draw(
        _ text: String, into canvas: inout [Float], canvasWidth: Int, x: Int, y: Int, scale: Int, value: Float
    ) {
        let canvasHeight = canvas.count / canvasWidth
        for (index, character) in text.enumerated() {
            for row in 0..<height {
                for column in 0..<5 where isSet(character, column: column, row: row) {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let (px, py) = (x + (index * advance + column) * scale + dx, y + row * scale + dy)
                            if px >= 0, py >= 0, px < canvasWidth, py < canvasHeight {
                                canvas[py * canvasWidth + px] = value
                            }
                        }
                    }
                }
            }
        }
    }
}
