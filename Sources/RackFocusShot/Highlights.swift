import RackFocusRender

/// Whether and how clipped highlights are brought back before blurring.
///
/// Display-referred footage (8- and 10-bit video, PNG, JPEG, TIFF) stores every light brighter
/// than white as white, so a blurred point light spreads only white's energy and comes out a pale
/// smudge instead of a bright disc. Values near white are scaled up
/// (`HighlightBoost`: 1 + gain · u², u the fraction of the way from the threshold to white) so
/// lights bloom as they do through a real lens. Scene-referred input (EXR, PFM) keeps its true
/// values and gets nothing.
package enum Highlights: Sendable, Equatable {
    /// Recovery for display-referred input, none for scene-referred input.
    case automatic
    case off
    case boost(HighlightBoost)

    /// The default recovery for display-referred input, chosen by measurement (docs/render-model.md,
    /// "Highlights in display-referred footage").
    package static let displayReferredDefault = HighlightBoost(threshold: 0.85, gain: 15)

    /// `off`, or `THRESHOLD:GAIN` with the threshold in 0-1 (exclusive) and a gain of 0 or more.
    package init(parsing text: String) throws(ShotError) {
        if text.lowercased() == "off" { self = .off; return }
        let parts = text.split(separator: ":").compactMap { Float($0) }
        guard parts.count == 2, parts[0] > 0, parts[0] < 1, parts[1] >= 0, parts[1] <= 1000 else {
            throw ShotError(
                .options, "--highlights: \"\(text)\" is not off or THRESHOLD:GAIN; write e.g. 0.85:15, or off")
        }
        self = .boost(HighlightBoost(threshold: parts[0], gain: parts[1]))
    }

    /// The boost for input whose values are scene-referred (`float`) or not.
    package func boost(sceneReferred: Bool) -> HighlightBoost? {
        switch self {
        case .automatic: return sceneReferred ? nil : Self.displayReferredDefault
        case .off: return nil
        case .boost(let b): return b
        }
    }
}
