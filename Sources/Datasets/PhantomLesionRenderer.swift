import Foundation

/// Draws a lesion into a tissue amplitude map and applies what it does to the beam below it.
enum PhantomLesionRenderer {
    /// Pixel rows and columns the lesion covers (mask ≥ ½), inclusive.
    struct Box { var top: Int, bottom: Int, left: Int, right: Int }

    /// Blends `lesion` into `map` (`size × size`) and returns its pixel box. `texture` spans
    /// the lesion's bounding square, so heterogeneity has the same grain for every lesion size.
    static func render(
        _ lesion: PhantomLesion, into map: inout [Float], size: Int, glandEcho: Double, texture: TextureField
    ) -> Box {
        let u = Float(1.0 / 64)
        let s = Float(size)
        let maxRadius = lesion.radius.max() ?? 0
        let reach = maxRadius + Float(lesion.softness) * u + 4 * u
        let (cx, cy) = (Float(lesion.centerX), Float(lesion.centerY))
        let top = max(0, Int(((cy - reach) * s).rounded(.down))),
            bottom = min(size - 1, Int(((cy + reach) * s).rounded(.up)))
        let left = max(0, Int(((cx - reach) * s).rounded(.down))),
            right = min(size - 1, Int(((cx + reach) * s).rounded(.up)))
        var box = Box(top: size, bottom: -1, left: size, right: -1)
        guard top <= bottom, left <= right else { return box }

        let (cosT, sinT) = (Float(cos(lesion.tilt)), Float(sin(lesion.tilt)))
        let softness = max(Float(lesion.softness) * u, 0.25 / s)
        let interiorMean = Float(lesion.echogenicity * glandEcho)
        let (halo, capsule) = (Float(lesion.halo), Float(lesion.capsule) * Float(glandEcho))
        let haloWidth = 0.25 * maxRadius + 1.5 * u
        let specks = lesion.calcifications.map { c -> (Float, Float) in
            let r = Float(c.fraction) * Self.radius(lesion.radius, angle: Float(c.angle))
            let (lx, ly) = (r * Float(cos(c.angle)), r * Float(sin(c.angle)))
            return (cx + lx * cosT - ly * sinT, cy + lx * sinT + ly * cosT)
        }
        let texRows = texture.axis(bottom - top + 1), texColumns = texture.axis(right - left + 1)
        var chord = [Float](repeating: 0, count: size)
        var lowest = [Int](repeating: -1, count: size)
        for i in top...bottom {
            let y = (Float(i) + 0.5) / s
            for j in left...right {
                let x = (Float(j) + 0.5) / s
                let (dx, dy) = (x - cx, y - cy)
                let (lx, ly) = (dx * cosT + dy * sinT, -dx * sinT + dy * cosT)
                let d = (lx * lx + ly * ly).squareRoot()
                let r = Self.radius(lesion.radius, angle: atan2(ly, lx))
                let t = min(max((r - d) / softness + 0.5, 0), 1)
                let m = t * t * (3 - 2 * t)
                let outside = d - r
                var tissue = map[i * size + j]
                if outside > 0 { tissue *= 1 + 1.6 * halo * Profile.bump(outside - haloWidth / 2, haloWidth / 2 + u) }
                tissue += 1.3 * capsule * Profile.bump(outside, 0.8 * u)
                var interior =
                    interiorMean
                    * max(0.05, 1 + Float(lesion.heterogeneity) * texture.value(texRows[i - top], texColumns[j - left]))
                for (sx, sy) in specks {
                    let (ex, ey) = (x - sx, y - sy)
                    interior += 3.0 * Profile.bump((ex * ex + ey * ey).squareRoot(), 0.9 * u)
                }
                map[i * size + j] = tissue + (interior - tissue) * m
                chord[j] += m
                if m >= 0.5 {
                    lowest[j] = i
                    box = Box(
                        top: min(box.top, i), bottom: max(box.bottom, i), left: min(box.left, j),
                        right: max(box.right, j))
                }
            }
        }
        applyPosterior(lesion, to: &map, size: size, chord: chord, lowest: lowest, box: box)
        return box
    }

    /// Shadowing or enhancement behind the lesion, strongest behind its thickest part (the beam
    /// crosses more lesion there), plus thin refraction shadows off its lateral edges.
    private static func applyPosterior(
        _ lesion: PhantomLesion, to map: inout [Float], size: Int, chord: [Float], lowest: [Int], box: Box
    ) {
        guard box.bottom >= 0 else { return }
        let scale = Float(size) / 64
        let thickest = chord.max() ?? 1
        for j in 0..<size where lowest[j] >= 0 {
            let factor = Float(pow(lesion.posteriorFactor, Double(chord[j] / thickest)))
            for i in (lowest[j] + 1)..<max(lowest[j] + 1, size) {
                let onset = min(Float(i - lowest[j]) / (2 * scale), 1)
                map[i * size + j] *= 1 + (factor - 1) * onset
            }
        }
        let widest = (box.top + box.bottom) / 2
        let shadow = Float(lesion.edgeShadow)
        guard shadow > 0.01, widest + 1 < size else { return }
        for i in (widest + 1)..<size {
            let onset = min(Float(i - widest) / (3 * scale), 1)
            for j in 0..<size {
                let edges =
                    Profile.bump(Float(j - box.left), 1.5 * scale) + Profile.bump(Float(j - box.right), 1.5 * scale)
                if edges > 0 { map[i * size + j] *= max(0, 1 - shadow * onset * edges) }
            }
        }
    }

    /// The margin radius at `angle` (radians, lesion frame), linearly interpolated in the table.
    @inline(__always) static func radius(_ table: [Float], angle: Float) -> Float {
        let n = table.count
        var t = angle / (2 * Float.pi) * Float(n)
        if t < 0 { t += Float(n) }
        let k = min(Int(t), n - 1)
        let f = t - Float(k)
        return table[k] + (table[(k + 1) % n] - table[k]) * f
    }
}
