import Testing

@testable import Datasets

@Suite struct PreviewGridTests {
    @Test func gridHasOneBlockPerClassAndEncodesAsAPNG() throws {
        let d = try DatasetSpec.busSynth(seed: 0, count: 20, size: 32).build()
        let grid = PreviewGrid.render(d, perClass: 4, columns: 4, zoom: 1)
        // Two headers (7 px text + 8 px padding) and two rows of 32 px tiles with 4 px gaps.
        #expect(grid.width == 4 + 4 * 36)
        #expect(grid.height == 2 * 15 + 2 * 36 + 4)
        let decoded = try PNGCodec.decode(grid.png())
        #expect(decoded.width == grid.width && decoded.height == grid.height && decoded.channels == 1)
    }

    @Test func fontDrawsKnownGlyphs() {
        #expect(BitmapFont.isSet("A", column: 0, row: 6) && !BitmapFont.isSet("A", column: 0, row: 0))
        #expect(BitmapFont.isSet("a", column: 2, row: 0))  // lower case drawn as upper case
        #expect(BitmapFont.width(of: "benign") == 36)
    }
}
