import Foundation

/// Small shape functions shared by the phantom renderers (all in normalised image units).
enum Profile {
    /// 0 above `-width/2`, 1 below `+width/2`, linear in between: a soft layer boundary.
    @inline(__always) static func ramp(_ d: Float, _ width: Float) -> Float { min(max(d / width + 0.5, 0), 1) }

    /// A smooth bump of half-width `width` centred on 0 (a thin bright line when `d` is the
    /// distance to it); cheaper than a Gaussian and exactly zero outside.
    @inline(__always) static func bump(_ d: Float, _ width: Float) -> Float {
        let t = d / width
        let q = 1 - t * t
        return q > 0 ? q * q : 0
    }
}

/// Echo amplitude of the layered breast tissue before any lesion: coupling gel, skin line,
/// subcutaneous fat with Cooper's ligaments, mottled fibroglandular tissue, striated pectoral
/// muscle, the pleura with lung below, and possibly a rib with its acoustic shadow.
enum PhantomTissue {
    /// The `size × size` amplitude map, row-major, depth increasing with the row.
    static func render(_ a: PhantomAnatomy, size: Int, gland: TextureField, fat: TextureField) -> [Float] {
        let u = Float(1.0 / 64)  // one pixel of a 64×64 image: line widths scale with the size
        var map = [Float](repeating: 0, count: size * size)
        let rows = gland.axis(size), fatRows = fat.axis(size)  // square: rows and columns alike
        let (skin, skinWidth) = (Float(a.skinDepth), Float(a.skinThickness))
        for j in 0..<size {
            let xd = (Double(j) + 0.5) / Double(size)
            let x = Float(xd)
            let fatBottom = Float(a.fatBottom.depth(at: xd)), glandBottom = Float(a.glandBottom.depth(at: xd))
            let muscleBottom = Float(a.muscleBottom.depth(at: xd)), pleura = Float(a.pleura.depth(at: xd))
            let column = rows[j], fatColumn = fatRows[j]
            var ribTop = Float.infinity
            if let rib = a.rib, abs(xd - rib.center) < rib.halfWidth {
                let t = (xd - rib.center) / rib.halfWidth
                ribTop = Float(rib.top + 0.04 * t * t)
            }
            for i in 0..<size {
                let y = (Float(i) + 0.5) / Float(size)
                let glandTexture = gland.value(rows[i], column)
                var v = Float(a.fatEcho) * max(0.3, 1 + 0.25 * fat.value(fatRows[i], fatColumn))
                let glandEcho = Float(a.glandEcho) * max(0.12, 1 + Float(a.glandTexture) * glandTexture)
                v += (glandEcho - v) * Profile.ramp(y - fatBottom, 1.5 * u)
                let inMuscle = Profile.ramp(y - glandBottom, 1.5 * u)
                if inMuscle > 0 {
                    let phase =
                        2 * Float.pi * (y - muscleBottom) / Float(a.striationPeriod) + Float(a.striationPhase) + 3 * x
                    let muscleEcho = Float(a.muscleEcho) * (1 + Float(a.striation) * sin(phase))
                    v += (muscleEcho - v) * inMuscle
                }
                let lungEcho = Float(a.lungEcho) * max(0.2, 1 + 0.4 * glandTexture)
                v += (lungEcho - v) * Profile.ramp(y - pleura, u)
                // Lines: the interfaces reflect specularly and show as thin bright bands.
                v +=
                    Float(a.fasciaEcho)
                    * (0.6 * Profile.bump(y - fatBottom, 1.2 * u) + Profile.bump(y - glandBottom, 1.4 * u))
                v += 1.8 * Profile.bump(y - pleura, 1.2 * u)
                if y > skin && y < fatBottom {
                    for l in a.ligaments {
                        let depth = Double(y - skin)
                        let lateral = l.start + l.slope * depth + l.curvature * depth * depth
                        let slope = l.slope + 2 * l.curvature * depth
                        let distance = Float((xd - lateral) / (1 + slope * slope).squareRoot())
                        v += Float(l.echo) * Profile.bump(distance, 0.9 * u) * Profile.ramp(fatBottom - y, 3 * u)
                    }
                }
                if ribTop.isFinite {
                    v *= 1 - 0.95 * Profile.ramp(y - ribTop - 1.5 * u, 1.5 * u)  // bone stops the beam
                    v += 2.8 * Profile.bump(y - ribTop, 2 * u)
                }
                // Coupling gel above the skin is anechoic; the skin line itself is bright.
                v = v * Profile.ramp(y - skin, 1.5 * skinWidth) + 0.02
                v += Float(a.skinEcho) * Profile.bump(y - skin, skinWidth)
                map[i * size + j] = v
            }
        }
        return map
    }
}
