/// The demo's built-in plan: a copy of examples/dialogue-85mm.yaml (a test keeps them equal).
enum DemoPlan {
    static let yaml = #"""
# A dialogue rack on an 85 mm: over Anna's shoulder onto Ben, focus follows the lines.
name: Dialogue at the bar
fps: 23.976
duration: 12s
camera:
  sensor: super35
  focalLength: 85mm
  stop: T2
  resolution: 1920x1080
  minFocus: 0.9m
  aperture: { blades: 11, rotation: 0deg, curvature: 0.6 }
subjects:
  anna: { distance: 1.2m, note: "foreground shoulder, camera left" }
  ben:  { distance: 2.4m, note: "faces camera" }
  bar:  { distance: 6m, note: "bottles behind Ben" }
focus:
  - { at: 0s, on: ben }
  # Anna answers: rack to her, timed to land as she speaks.
  - { rack: anna, land: "00:00:03:12", duration: 20f, curve: landing }
  # Ben replies.
  - { rack: ben, start: 6.5s, duration: 1s, curve: ease-in-out }

"""#
}
