import Foundation
import Testing

@testable import RackFocusImage

@Suite("Image quality on any size")
struct ImageQualityTests {
    /// A 5×5 image read memory out of bounds before (a crash), and 6×6 identical images scored 0.
    @Test(arguments: [1, 5, 6])
    func ssimBelowItsWindowIsUndefined(side: Int) {
        let img = PlanarImage(width: side, height: side, channels: 3, fill: 0.4)
        #expect(ImageQuality.ssim(img, img).isNaN)
    }

    @Test func identicalImagesScorePerfectlyFromTheWindowUp() throws {
        var img = PlanarImage(width: 7, height: 9, channels: 3, fill: 0)
        for i in img.data.indices { img.data[i] = Float(i % 13) / 13 }
        #expect(abs(ImageQuality.ssim(img, img) - 1) < 1e-9)
        // Identical: PSNR is infinite, and JSON says null rather than a string "inf".
        let scores = ImageQuality.Scores(psnr: ImageQuality.psnr(img, img), ssim: 1, edgePSNR: .nan)
        #expect(scores.psnr == .infinity)
        let json = String(decoding: try JSONEncoder().encode(scores), as: UTF8.self)
        #expect(json.contains("\"psnr\":null") && json.contains("\"edgePSNR\":null"), "\(json)")
    }
}
