// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "RackFocus",
    products: [
        .executable(name: "rackfocus", targets: ["rackfocus"]),
        .library(name: "RackFocusOptics", targets: ["RackFocusOptics"]),
        .library(name: "RackFocusPlan", targets: ["RackFocusPlan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/ordo-one/TextTable", exact: "0.0.2"),
    ],
    targets: [
        // Pure thin-lens optics, units and time: no I/O, no pixels.
        .target(name: "RackFocusOptics", swiftSettings: strict),
        // Shot plans: parsing, validation, focus curves, rack assessment.
        .target(
            name: "RackFocusPlan",
            dependencies: ["RackFocusOptics", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // The lens-blur engine: pixels in, pixels out; no files, no ffmpeg.
        .target(
            name: "RackFocusRender", dependencies: ["RackFocusOptics"],
            swiftSettings: strict + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        // Media I/O through ffmpeg (and PFM natively): knows pixels and files, nothing of lenses.
        .target(name: "RackFocusMedia", dependencies: ["RackFocusRender"], swiftSettings: strict),
        // Focus analysis of footage: focus measures, rack detection and grading; pixels in, events out.
        .target(name: "RackFocusAnalysis", dependencies: ["RackFocusRender", "RackFocusPlan"],
                swiftSettings: strict + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        // Printable charts (SVG) of plans and focus marks.
        .target(name: "RackFocusCharts", dependencies: ["RackFocusPlan"], swiftSettings: strict),
        // The command line: thin wiring of the modules above.
        .target(
            name: "RackFocusCLI",
            dependencies: [
                "RackFocusOptics", "RackFocusPlan", "RackFocusCharts", "RackFocusRender", "RackFocusMedia", "RackFocusAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TextTable", package: "TextTable"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "rackfocus", dependencies: ["RackFocusCLI"], swiftSettings: strict),

        .testTarget(name: "RackFocusOpticsTests", dependencies: ["RackFocusOptics"], swiftSettings: strict),
        .testTarget(name: "RackFocusPlanTests", dependencies: ["RackFocusPlan"], swiftSettings: strict),
        .testTarget(name: "RackFocusRenderTests", dependencies: ["RackFocusRender", "RackFocusMedia"], swiftSettings: strict),
        .testTarget(name: "RackFocusMediaTests", dependencies: ["RackFocusMedia"], swiftSettings: strict),
        .testTarget(name: "RackFocusAnalysisTests", dependencies: ["RackFocusAnalysis", "RackFocusRender", "RackFocusMedia"], swiftSettings: strict),
        .testTarget(name: "RackFocusChartsTests", dependencies: ["RackFocusCharts"], swiftSettings: strict),
        .testTarget(name: "RackFocusCLITests", dependencies: ["RackFocusCLI"], swiftSettings: strict),
    ]
)
