/// Whether a box given on the command line (`--region`, `--box`: x, y, w, h) is in fractions
/// of the frame rather than pixels: all four numbers within 0-1.
package func areFractionsOfFrame(_ numbers: [Double]) -> Bool { numbers.allSatisfy { $0 <= 1 } }
