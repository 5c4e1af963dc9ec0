/// A smooth random field: standard normals on a coarse `grid × grid` lattice spanning the
/// image, interpolated with a smoothstep-weighted bilinear blend (value noise).
///
/// Tissue texture (gland mottling, lesion heterogeneity) lives at a few cells per image, so
/// the field is the same at every image size: only the sampling changes.
struct TextureField {
    let grid: Int
    let values: [Float]

    /// A field over `grid × grid` lattice points taking the next values of `normals`.
    init(grid: Int, normals: ArraySlice<Float>) {
        precondition(normals.count >= grid * grid, "TextureField needs \(grid * grid) normals")
        self.grid = grid
        values = Array(normals.prefix(grid * grid))
    }

    /// Lattice cell and smoothstep weight of each of `size` pixel centres along one axis.
    func axis(_ size: Int) -> [(index: Int, weight: Float)] {
        (0..<size).map { i in
            let t = (Float(i) + 0.5) / Float(size) * Float(grid - 1)
            let cell = min(Int(t), grid - 2)
            let f = t - Float(cell)
            return (cell, f * f * (3 - 2 * f))
        }
    }

    /// The field at a pixel, given its row and column entries from `axis`.
    @inline(__always)
    func value(_ row: (index: Int, weight: Float), _ column: (index: Int, weight: Float)) -> Float {
        let base = row.index * grid + column.index
        let top = values[base] + (values[base + 1] - values[base]) * column.weight
        let bottom = values[base + grid] + (values[base + grid + 1] - values[base + grid]) * column.weight
        return top + (bottom - top) * row.weight
    }
}
