/// The demo's built-in plan: a copy of examples/demo-rack.yaml (a test keeps them equal).
enum DemoPlan {
    static let yaml = #"""
        # The built-in demo: a foreground-to-background rack on a long lens at a wide stop.
        # `rackfocus demo` renders it over a synthetic scene with true depth.
        name: Demo rack
        fps: 24
        duration: 3.5s
        camera:
          sensor: fullframe
          focalLength: 85mm
          stop: 1.8
          resolution: 640x360
          minFocus: 0.85m
          aperture: { blades: 9, rotation: 10deg, curvature: 0.4 }
        subjects:
          ball:   { distance: 1.5m, point: [0.27, 0.64] }
          figure: { distance: 6m, point: [0.68, 0.45] }
          wall:   { distance: 30m }
        focus:
          - { at: 0s, on: ball }
          - { rack: figure, start: 1s, duration: 1.5s, curve: landing }

        """#
}
