import RackFocusImage

/// The size policy for depth maps: the frame's size as it is, the frame's aspect ratio scaled
/// (nearest sample, so depth edges stay sharp), another aspect ratio only through `DepthFit`.
struct DepthFitting {
    let fit: DepthFit?
    let file: String

    /// What to do to each map: cut it to `crop` (when set), then scale it to the frame.
    struct Plan {
        var crop: PixelRect?
        var width: Int
        var height: Int

        func apply(_ d: PlanarImage) -> PlanarImage {
            var out = d
            if let crop, (crop.width, crop.height) != (d.width, d.height) { out = out.crop(crop) }
            if (out.width, out.height) != (width, height) { out = Resample.nearest(out, width: width, height: height) }
            return out
        }
    }

    /// Aspect ratios within 1% are the same shape (1920×1080 against 1920×1088 coded heights).
    static func sameShape(_ a: (Int, Int), _ b: (Int, Int)) -> Bool {
        let ra = Double(a.0) / Double(a.1), rb = Double(b.0) / Double(b.1)
        return abs(ra - rb) / rb < 0.01
    }

    func plan(from map: (Int, Int), to frame: (Int, Int), feedback: Feedback? = nil) throws -> Plan {
        let plan = Plan(crop: nil, width: frame.0, height: frame.1)
        if map == frame { return plan }
        if Self.sameShape(map, frame) {
            feedback?.note(
                "\(file) is \(map.0)x\(map.1); scaling it to \(frame.0)x\(frame.1) (nearest sample, so edges stay sharp)"
            )
            return plan
        }
        switch fit {
        case nil:
            throw ShotError(
                .depthSize, file: file,
                """
                the depth map is \(map.0)x\(map.1) but the frame is \(frame.0)x\(frame.1), another shape; give a depth map \
                of the frame's aspect ratio, or --depth-fit stretch (scale both ways) or --depth-fit crop (cut to the frame's shape)
                """)
        case .stretch:
            feedback?.note("\(file) is \(map.0)x\(map.1); stretching it to \(frame.0)x\(frame.1) (--depth-fit stretch)")
            return plan
        case .crop:
            let wide = Double(map.0) * Double(frame.1) > Double(frame.0) * Double(map.1)
            let cw = wide ? Int((Double(map.1) * Double(frame.0) / Double(frame.1)).rounded()) : map.0
            let ch = wide ? map.1 : Int((Double(map.0) * Double(frame.1) / Double(frame.0)).rounded())
            let crop = PixelRect(x: (map.0 - cw) / 2, y: (map.1 - ch) / 2, width: max(1, cw), height: max(1, ch))
            feedback?.note(
                "\(file) is \(map.0)x\(map.1); using its centre \(crop.width)x\(crop.height) scaled to \(frame.0)x\(frame.1) (--depth-fit crop)"
            )
            return Plan(crop: crop, width: frame.0, height: frame.1)
        }
    }
}
