import Foundation

/// SMPTE timecode `HH:MM:SS:FF` (non-drop) and `HH:MM:SS;FF` (drop-frame) ↔ frame numbers.
///
/// Drop-frame skips frame numbers 0 and 1 (0–3 at 59.94) at the start of every minute except
/// each tenth minute (SMPTE ST 12-1), so 29.97 timecode stays within a few frames of wall clock.
public enum Timecode {
    /// The frame number a timecode names, counted from 00:00:00:00.
    public static func frame(parsing text: String, rate: FrameRate) throws(ValueError) -> Int {
        let s = text.trimmingCharacters(in: .whitespaces)
        let dropFrame = s.contains(";")
        let parts = s.split(whereSeparator: { $0 == ":" || $0 == ";" || $0 == "." }).map { Int($0) }
        let fix = "write timecode as HH:MM:SS:FF (drop-frame HH:MM:SS;FF at 29.97/59.94)"
        guard parts.count == 4, let h = parts[0], let m = parts[1], let sec = parts[2], let f = parts[3],
            (0..<24).contains(h), (0..<60).contains(m), (0..<60).contains(sec), f >= 0
        else {
            throw ValueError("\"\(text)\" is not timecode", fix: fix)
        }
        let base = rate.timecodeBase
        guard f < base else {
            throw ValueError(
                "\"\(text)\" has frame \(f), but \(rate) fps timecode counts frames 0-\(base - 1)", fix: fix)
        }
        if dropFrame {
            guard rate.supportsDropFrame else {
                throw ValueError(
                    "\"\(text)\" is drop-frame timecode, which exists only at 29.97 and 59.94 fps",
                    fix: "use ':' before the frames for non-drop timecode at \(rate) fps")
            }
            let drop = base / 15  // 2 at 29.97, 4 at 59.94
            if sec == 0 && m % 10 != 0 && f < drop {
                throw ValueError(
                    "\"\(text)\" does not exist in drop-frame timecode (frames 0-\(drop - 1) are skipped at the start of minute \(m))",
                    fix: "use frame \(drop)")
            }
            let totalMinutes = 60 * h + m
            return ((h * 3600 + m * 60 + sec) * base + f) - drop * (totalMinutes - totalMinutes / 10)
        }
        return (h * 3600 + m * 60 + sec) * base + f
    }

    /// Formats a frame number as timecode; drop-frame when asked and the rate allows it.
    public static func string(frame: Int, rate: FrameRate, dropFrame: Bool = false) -> String {
        let base = rate.timecodeBase
        var n = max(0, frame)
        let df = dropFrame && rate.supportsDropFrame
        if df {
            let drop = base / 15
            let framesPer10Min = base * 600 - drop * 9
            let framesPerMin = base * 60 - drop
            let tens = n / framesPer10Min
            let rem = n % framesPer10Min
            n += drop * 9 * tens
            if rem > drop { n += drop * ((rem - drop) / framesPerMin) }
        }
        let f = n % base, totalSeconds = n / base
        return String(
            format: "%02d:%02d:%02d%@%02d", totalSeconds / 3600, (totalSeconds / 60) % 60, totalSeconds % 60,
            df ? ";" : ":", f)
    }
}
