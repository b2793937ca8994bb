// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// Pixel kernels are compiled without overflow and bounds checks in release builds.
let fastKernels: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "RackFocus",
    products: [
        .executable(name: "rackfocus", targets: ["rackfocus"]),
        .executable(name: "rackfocus-studio", targets: ["rackfocus-studio"]),
        .library(name: "RackFocusOptics", targets: ["RackFocusOptics"]),
        .library(name: "RackFocusPlan", targets: ["RackFocusPlan"]),
        .library(name: "RackFocusImage", targets: ["RackFocusImage"]),
        .library(name: "RackFocusRender", targets: ["RackFocusRender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // The studio's HTTP server; default traits off (no swift-configuration, no full Foundation).
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
    ],
    targets: [
        // Pure thin-lens optics, units and time: no I/O, no pixels.
        .target(name: "RackFocusOptics", swiftSettings: strict),
        // Shot plans: parsing, validation, focus curves, rack assessment.
        .target(
            name: "RackFocusPlan",
            dependencies: ["RackFocusOptics", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // Pixels: planar float images, rectangles, colour transfer, resampling, filters, image
        // metrics, aperture footprints and the frame source/sink protocols. No files, no lenses' maths.
        .target(
            name: "RackFocusImage", dependencies: ["RackFocusOptics"],
            swiftSettings: strict + fastKernels),
        // The lens-blur engine: pixels in, pixels out; no files, no ffmpeg.
        // A software prefetch for the renderer's input streams (header only).
        .target(name: "CKernelHints"),
        .target(
            name: "RackFocusRender", dependencies: ["RackFocusOptics", "RackFocusImage", "CKernelHints"],
            swiftSettings: strict + fastKernels),
        // OpenEXR's C library (OpenEXRCore, Debian's libopenexr-dev) with the few helpers Swift needs.
        .target(name: "CEXR", linkerSettings: [.linkedLibrary("OpenEXRCore-3_1"), .linkedLibrary("deflate")]),
        // Media I/O: EXR through OpenEXR, PFM natively, everything else through ffmpeg. Knows pixels
        // and files, nothing of lenses.
        .target(name: "RackFocusMedia", dependencies: ["RackFocusOptics", "RackFocusImage", "CEXR"], swiftSettings: strict),
        // Depth from RGB alone: monocular depth networks (ONNX) through ONNX Runtime's C API, loaded
        // at run time (scripts/install-onnxruntime.sh); pixels in, depth out.
        .target(name: "RackFocusDepthModel", dependencies: ["RackFocusImage"], swiftSettings: strict),
        // Focus analysis of footage: focus measures, rack detection and grading; pixels in, events out.
        .target(
            name: "RackFocusAnalysis", dependencies: ["RackFocusImage", "RackFocusPlan"],
            swiftSettings: strict + fastKernels),
        // Printable charts (SVG) of plans and focus marks.
        .target(name: "RackFocusCharts", dependencies: ["RackFocusPlan"], swiftSettings: strict),
        // What commands share: depth sources and their calibration, subject depth per frame, the
        // shot renderer, clip analysis, the built-in scenes.
        .target(
            name: "RackFocusShot",
            dependencies: [
                "RackFocusOptics", "RackFocusPlan", "RackFocusImage", "RackFocusRender", "RackFocusMedia",
                "RackFocusAnalysis",
                "RackFocusCharts", "RackFocusDepthModel",
            ],
            swiftSettings: strict),
        // RackFocus Studio: the local browser studio (Hummingbird on loopback), its HTTP API, the page
        // it serves and the session state behind it (clip, depth, plan, frame cache, render job).
        .target(
            name: "RackFocusStudio",
            dependencies: [
                "RackFocusOptics", "RackFocusPlan", "RackFocusImage", "RackFocusRender", "RackFocusMedia",
                "RackFocusShot",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        // The command line: declares options, validates them and prints; the work is in the modules above.
        .target(
            name: "RackFocusCLI",
            dependencies: [
                "RackFocusOptics", "RackFocusPlan", "RackFocusCharts", "RackFocusImage", "RackFocusRender",
                "RackFocusMedia",
                "RackFocusAnalysis", "RackFocusShot", "RackFocusDepthModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // `rackfocus studio`'s command (run by `rackfocus studio` as rackfocus-studio, its own program, so
        // that rackfocus and its demo build without the HTTP server).
        .target(
            name: "RackFocusStudioCLI",
            dependencies: [
                "RackFocusCLI", "RackFocusShot", "RackFocusStudio",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "rackfocus", dependencies: ["RackFocusCLI"], swiftSettings: strict),
        .executableTarget(
            name: "rackfocus-studio", dependencies: ["RackFocusCLI", "RackFocusStudioCLI"], swiftSettings: strict),
        // The plan loader under libFuzzer (scripts/fuzz-plan.sh); built plainly it replays inputs.
        .executableTarget(name: "fuzz-plan", dependencies: ["RackFocusPlan"], swiftSettings: strict),

        .testTarget(name: "RackFocusOpticsTests", dependencies: ["RackFocusOptics"], swiftSettings: strict),
        .testTarget(name: "RackFocusPlanTests", dependencies: ["RackFocusPlan"], swiftSettings: strict),
        .testTarget(name: "RackFocusImageTests", dependencies: ["RackFocusImage"], swiftSettings: strict),
        .testTarget(
            name: "RackFocusRenderTests",
            dependencies: ["RackFocusRender", "RackFocusImage", "RackFocusMedia", "RackFocusShot"],
            swiftSettings: strict),
        .testTarget(
            name: "RackFocusMediaTests", dependencies: ["RackFocusMedia", "RackFocusImage", "RackFocusRender"],
            swiftSettings: strict),
        .testTarget(
            name: "RackFocusAnalysisTests",
            dependencies: [
                "RackFocusAnalysis", "RackFocusImage", "RackFocusRender", "RackFocusMedia", "RackFocusShot",
            ], swiftSettings: strict),
        .testTarget(
            name: "RackFocusDepthModelTests", dependencies: ["RackFocusDepthModel", "RackFocusImage"],
            swiftSettings: strict),
        .testTarget(name: "RackFocusChartsTests", dependencies: ["RackFocusCharts"], swiftSettings: strict),
        .testTarget(
            name: "RackFocusShotTests", dependencies: ["RackFocusShot", "RackFocusImage"], swiftSettings: strict),
        .testTarget(
            name: "RackFocusStudioTests",
            dependencies: [
                "RackFocusStudio", "RackFocusShot", "RackFocusImage", "RackFocusMedia",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ], swiftSettings: strict),
        .testTarget(
            name: "RackFocusCLITests",
            dependencies: ["RackFocusCLI", "RackFocusShot", "RackFocusImage", "RackFocusMedia"],
            swiftSettings: strict),
    ]
)
