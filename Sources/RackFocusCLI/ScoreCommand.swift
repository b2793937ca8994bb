import ArgumentParser
import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusShot

/// `rackfocus score`: how close a render is to ground truth, as the samples are scored.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "PSNR, SSIM and edge-band PSNR of an image against ground truth, in display space.",
        discussion:
            "The edge band needs the depth map: pixels within 6 px of a depth edge (|Sobel of log depth| > 0.2).")

    @Argument(help: "The image to score.") var image: String
    @Option(help: "Ground truth image.") var truth: String
    @Option(help: "Depth map, for the edge band.") var depth: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let a = try StillImage.readColor(image)
        let b = try StillImage.readColor(truth)
        let d = try StillImage.readDepth(depth)
        guard a.width == b.width, a.height == b.height, d.width == a.width, d.height == a.height else {
            throw CLIError(
                "\(image): sizes differ (\(a.width)x\(a.height), truth \(b.width)x\(b.height), depth \(d.width)x\(d.height))"
            )
        }
        guard a.width >= 7, a.height >= 7 else {
            throw CLIError("\(image): \(a.width)x\(a.height) is too small to score; SSIM's 7×7 window needs 7×7 pixels")
        }
        let s = ImageQuality.scores(a, truth: b, depth: d)
        func db(_ v: Double, _ none: String) -> String { v.isFinite ? String(format: "%.2f dB", v) : none }
        print(
            json
                ? encodeJSON(s)
                : "PSNR \(db(s.psnr, "∞ (identical)"))  SSIM \(String(format: "%.4f", s.ssim))  edge-band PSNR \(db(s.edgePSNR, s.edgePSNR.isNaN ? "none (no depth edges)" : "∞ (identical)"))"
        )
    }
}
